{#- The state-space average: every day of every fitted series, the smoothed level with its 90 % and
    95 % intervals (normal, bounded to 0-100). -#}

with

fits as (
    select * from {{ ref('fct_poll_model_fits') }}
    where is_fitted
),

subjects as (
    select * from {{ ref('dim_poll_subjects') }}
),

days as (
    select
        fits.question,
        fits.election,
        fits.subject_code,
        fits.is_anchored,
        unnest(fits.days, max_depth := 2)
    from fits
),

final as (
    select
        days.question,
        days.election,
        days.subject_code,
        subjects.subject_name,
        days.day,
        days.level_pct,
        days.level_sd_pts,
        greatest(days.level_pct - {{ poll_model_z(0.90) }} * days.level_sd_pts, 0) as low_90,
        least(days.level_pct + {{ poll_model_z(0.90) }} * days.level_sd_pts, 100) as high_90,
        greatest(days.level_pct - {{ poll_model_z(0.95) }} * days.level_sd_pts, 0) as low_95,
        least(days.level_pct + {{ poll_model_z(0.95) }} * days.level_sd_pts, 100) as high_95,
        days.n_polls_used,
        days.last_poll_day,
        days.is_anchored
    from days
    left join subjects on subjects.subject_code = days.subject_code
)

select * from final
