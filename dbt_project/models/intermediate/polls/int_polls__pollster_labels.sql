{#- Every pollster spelling met in the feeds (figures and release catalogue) with its one pollster code:
    ref_poll_pollster_aliases for known spellings (case-insensitive), else the label's slug, which a warn
    test on the marts then names so an alias can be added. -#}

with

results as (
    select * from {{ ref('int_polls__results_unioned') }}
),

releases as (
    select * from {{ ref('stg_polls__releases') }}
),

aliases as (
    select * from {{ ref('ref_poll_pollster_aliases') }}
),

labels as (
    select pollster_label from results
    union
    select pollster_label from releases where pollster_label is not null
),

coded as (
    select
        labels.pollster_label,
        coalesce(aliases.pollster_code, {{ polls_slug('labels.pollster_label') }}) as pollster_code
    from labels
    left join aliases on aliases.pollster_label = lower(trim(labels.pollster_label))
)

select * from coded
