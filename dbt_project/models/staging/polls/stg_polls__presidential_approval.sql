with

source as (
    select * from {{ source('polls', 'polls_presidential_approval') }}
),

renamed as (
    select
        source,
        source_row,
        strftime(date, '%Y%m%d') || '_' || {{ polls_slug('sondage') }} || '_' || president as poll_id,
        date as poll_date,
        president as president_label,
        sondage as pollster_label,
        samplesize as sample_size,
        method,
        approve_pr as approve_pct,
        disapprove_pr as disapprove_pct
    from source
)

select * from renamed
