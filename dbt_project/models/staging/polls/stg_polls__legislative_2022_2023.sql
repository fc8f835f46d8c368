with

source as (
    select * from {{ source('polls', 'polls_legislative_2022_2023') }}
),

renamed as (
    select
        source,
        source_row,
        -- The feed's id names one variant (suffix _<variant>): the poll is the id without it.
        case
            when suffix(poll_id, '_' || variant) then left(poll_id, length(poll_id) - length(variant) - 1)
            else poll_id
        end as poll_id,
        poll_id as source_poll_id,
        variant as hypothesis,
        variant = 'election_result' as is_election_result,
        pollster as pollster_label,
        fieldwork_start,
        fieldwork_end,
        sample_size,
        party as subject_label,
        pct as value_pct,
        source_url,
        notes
    from source
)

select * from renamed
