with

source as (
    select * from {{ source('polls', 'polls_popularity_barometers') }}
),

renamed as (
    select
        source,
        source_row,
        {{ polls_slug('pollster') }} || '_' || {{ polls_slug('barometer') }}
            || '_' || coalesce({{ polls_slug('wave') }}, 'unknown_wave') as poll_id,
        pollster as pollster_label,
        sponsor,
        barometer,
        wave as wave_label,
        -- "2023-10" reads as a month; "2023-10/11 (approx.)" does not and stays null (flagged).
        try_strptime(wave, '%Y-%m')::date as wave_month,
        fieldwork_start,
        fieldwork_end,
        published as published_on,
        sample_size,
        method,
        population,
        subject as subject_label,
        metric,
        value_pct,
        change_pts as published_change_pts,
        source_url,
        notes
    from source
),

dated as (
    select
        *,
        wave_month is not null as has_readable_wave,
        coalesce(fieldwork_end, published_on, wave_month) as poll_date
    from renamed
)

select * from dated
