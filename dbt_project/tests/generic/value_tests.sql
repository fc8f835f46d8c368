{#- Generic data tests shared by every layer: dbt_utils is not available (no dbt hub). The grain
    test is tests/generic/unique_combination_of_columns.sql. On the marts (contracted tables) value
    rules are contract constraints instead (NOT NULL, CHECK, enforced by DuckDB at insert); this test
    stays for views, ephemeral models and warn-level counts of known source gaps. -#}

{#- Every row satisfies `expression` (rows where it is null pass, as in a CHECK constraint: nulls
    are tested by not_null). -#}
{% test expression_is_true(model, expression) %}
    select *
    from {{ model }}
    where not ({{ expression }})
{% endtest %}
