{#- Each person's barometer series, one per pollster x question (metric) x population, with the change
    from the previous wave of the same series. Different pollsters' questions are never averaged or
    mixed: a change is always within one series. -#}

with

results as (
    select * from {{ ref('fct_poll_results') }}
    where question not in ('legislative_first_round', 'presidential_first_round', 'presidential_second_round')
),

subjects as (
    select * from {{ ref('dim_poll_subjects') }}
    where subject_type = 'person'
),

barometers as (
    select * from {{ ref('stg_polls__popularity_barometers') }}
),

points as (
    select
        results.*,
        subjects.subject_name,
        subjects.party_code,
        barometers.wave_label,
        barometers.published_change_pts
    from results
    inner join subjects on subjects.subject_code = results.subject_code
    left join barometers
        on barometers.source = results.source
        and barometers.source_row = results.source_row
),

-- A point with no readable date cannot be placed in its series: it is kept, with no previous wave.
series as (
    select
        *,
        case when poll_date is not null then lag(poll_date) over series_order end as previous_poll_date,
        case when poll_date is not null then lag(value_pct) over series_order end as previous_value_pct
    from points
    window series_order as (
        partition by subject_code, pollster_code, question, population
        order by poll_date nulls last, poll_id
    )
),

final as (
    select
        subject_code,
        subject_name,
        party_code,
        subject_bloc,
        pollster_code,
        pollster_name,
        question as metric,
        population,
        poll_id,
        source,
        wave_label,
        poll_date,
        fieldwork_start,
        fieldwork_end,
        sample_size,
        value_pct,
        previous_poll_date,
        previous_value_pct,
        value_pct - previous_value_pct as change_pts,
        published_change_pts
    from series
)

select * from final
