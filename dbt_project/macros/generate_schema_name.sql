{#
  Schemas are exactly `raw`, `staging`, `intermediate`, `marts`: dbt's default would prefix the
  target schema (`main_marts`), which analysts would then have to type in every query.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
