{#
  The chamber a scrutin belongs to, read from its uid: VTANR5L16V100 -> 'AN' (Assemblée nationale),
  VTCGR5L16V1 -> 'CG' (Congrès du Parlement, deputies and senators sitting together).
#}
{% macro assemblee_chamber(scrutin_uid_column) -%}
    substring({{ scrutin_uid_column }}, 3, 2)
{%- endmacro %}
