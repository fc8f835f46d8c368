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

{#- MieuxVoter ids name one hypothesis (suffix _A, _B, _2A...): the poll is the id without it. -#}
{% macro mieuxvoter_poll_keys() -%}
    regexp_replace(poll_id, '_2?[A-Z]$', '') as poll_id,
    poll_id as source_poll_id,
    coalesce(hypothese, 'main') as hypothesis
{%- endmacro %}

{#- The poll columns of the NSPPolls family (NSPPolls, MieuxVoter), in English. -#}
{% macro nsppolls_poll_columns() -%}
    nom_institut as pollster_label,
    commanditaire as sponsor,
    debut_enquete as fieldwork_start,
    fin_enquete as fieldwork_end,
    echantillon as sample_size,
    population
{%- endmacro %}
