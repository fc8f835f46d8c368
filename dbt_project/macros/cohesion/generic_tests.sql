{#- Generic data tests written here because dbt_utils is not available (no dbt hub). -#}

{#- The grain: no two rows share the same combination of `combination_of_columns`. -#}
{% test unique_combination(model, combination_of_columns) %}
    select {{ combination_of_columns | join(', ') }}, count(*) as n_rows
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
{% endtest %}

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
