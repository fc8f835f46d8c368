{#- Every staged poll figure in one shape, before pollster/subject codes, errata and deduplication.
    Left out on purpose: seat projections (not shares) and the 2022 election result (not a poll). -#}

with

presidential_2027 as (
    select * from {{ ref('stg_polls__presidential_2027') }}
),

presidential_2022 as (
    select * from {{ ref('stg_polls__presidential_2022') }}
),

legislative_2022 as (
    select * from {{ ref('stg_polls__legislative_2022') }}
    where measure = 'vote_share'
),

legislative_2022_2023 as (
    select * from {{ ref('stg_polls__legislative_2022_2023') }}
    where not is_election_result
),

presidential_approval as (
    select * from {{ ref('stg_polls__presidential_approval') }}
),

barometers as (
    select * from {{ ref('stg_polls__popularity_barometers') }}
),

unioned as (
    select
        source, source_row, poll_id, pollster_label, sponsor, fieldwork_start, fieldwork_end,
        fieldwork_end as poll_date, sample_size, population, null as method, question, hypothesis,
        subject_label, value_pct
    from presidential_2027

    union all

    select
        source, source_row, poll_id, pollster_label, sponsor, fieldwork_start, fieldwork_end,
        fieldwork_end, sample_size, population, null, question, hypothesis, subject_label, value_pct  -- noqa: AL08
    from presidential_2022

    union all

    select
        source, source_row, poll_id, pollster_label, sponsor, fieldwork_start, fieldwork_end,
        fieldwork_end, sample_size, null, null, 'legislative_first_round', 'main', subject_label, value  -- noqa: AL08
    from legislative_2022

    union all

    select
        source, source_row, poll_id, pollster_label, null, fieldwork_start, fieldwork_end,
        fieldwork_end, sample_size, null, null, 'legislative_first_round', hypothesis,  -- noqa: AL08
        subject_label, value_pct
    from legislative_2022_2023

    union all

    -- One approval poll gives two figures: approve and disapprove. The source gives one date.
    select
        source, source_row, poll_id, pollster_label, null, poll_date, poll_date,  -- noqa: AL08
        poll_date, sample_size, null, method, question, 'main', president_label, value_pct  -- noqa: AL08
    from presidential_approval
    cross join lateral (
        values ('approval', approve_pct), ('disapproval', disapprove_pct)
    ) as figures (question, value_pct)  -- noqa: AL05

    union all

    select
        source, source_row, poll_id, pollster_label, sponsor, fieldwork_start, fieldwork_end,
        poll_date, sample_size, population, method, metric, 'main', subject_label, value_pct
    from barometers
)

select * from unioned
