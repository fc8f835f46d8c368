{#- Keys shared by every poll staging model, so the same label always yields the same code. -#}

{#- A label as a lowercase ASCII key: "Jean-Luc Mélenchon" -> jean_luc_melenchon, "Ifop" -> ifop. -#}
{% macro polls_slug(expression) -%}
    trim(lower(regexp_replace(strip_accents(trim({{ expression }})), '[^A-Za-z0-9]+', '_', 'g')), '_')
{%- endmacro %}

{#- A poll id in the NSPPolls style, for sources that publish none: 20220506_0509_ifop. -#}
{% macro polls_fieldwork_poll_id(fieldwork_start, fieldwork_end, pollster_label) -%}
    strftime({{ fieldwork_start }}, '%Y%m%d') || '_' || strftime({{ fieldwork_end }}, '%m%d')
        || '_' || {{ polls_slug(pollster_label) }}
{%- endmacro %}
