with

pollsters as (
    select * from {{ ref('ref_poll_pollsters') }}
),

aliases as (
    select * from {{ ref('ref_poll_pollster_aliases') }}
),

spellings as (
    select pollster_code, string_agg(pollster_label, ', ' order by pollster_label) as spellings
    from aliases
    group by pollster_code
),

final as (
    select
        pollsters.pollster_code,
        pollsters.pollster_name,
        spellings.spellings,
        pollsters.notes
    from pollsters
    left join spellings on spellings.pollster_code = pollsters.pollster_code
)

select * from final
