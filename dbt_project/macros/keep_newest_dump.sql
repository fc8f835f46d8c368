{#
  The AMO dumps overlap: an acteur, mandate or organe of the 16th dump often reappears in the
  17th's. Keep one row per key, from the newest dump (highest `dump_legislature`), which carries
  the latest dates and names. Used as the body of a CTE over a raw AMO table.
#}
{% macro keep_newest_dump(relation, key_column='uid') -%}
    select *
    from {{ relation }}
    qualify row_number() over (
        partition by {{ key_column }}
        order by dump_legislature desc
    ) = 1
{%- endmacro %}
