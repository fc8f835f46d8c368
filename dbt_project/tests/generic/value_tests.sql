{#- Generic data tests shared by every layer: dbt_utils is not available (no dbt hub). The grain
    test is tests/generic/unique_combination_of_columns.sql. -#}

{#- Every row satisfies `expression` (rows where it is null pass: nulls are tested by not_null). -#}
{% test expression_is_true(model, expression) %}
    select *
    from {{ model }}
    where not ({{ expression }})
{% endtest %}

{#- The column lies within [min_value, max_value]; nulls pass. -#}
{% test within_range(model, column_name, min_value, max_value) %}
    select *
    from {{ model }}
    where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}
{% endtest %}
