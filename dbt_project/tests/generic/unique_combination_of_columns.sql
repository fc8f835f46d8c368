{#
  Grain test: no two rows share the same combination of the given columns. dbt_utils has the same
  test, but the dbt hub is unreachable here, so the project carries its own. Fails with one row per
  duplicated key, showing how many rows share it.

  Usage:
    data_tests:
      - unique_combination_of_columns:
          arguments:
            combination_of_columns: [scrutin_uid, deputy_uid]
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with

key_counts as (

    select
        {{ combination_of_columns | join(',\n        ') }},
        count(*) as n_rows

    from {{ model }}
    group by all

)

select * from key_counts
where n_rows > 1

{% endtest %}
