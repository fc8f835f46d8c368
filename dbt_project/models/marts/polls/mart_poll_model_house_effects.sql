{#- Each pollster's house effect in each fitted series, with its standard error: a state of the
    model, constant over the series. -#}

with

fits as (
    select * from {{ ref('fct_poll_model_fits') }}
    where is_fitted
),

pollsters as (
    select * from {{ ref('dim_pollsters') }}
),

house_effects as (
    select
        fits.question,
        fits.election,
        fits.subject_code,
        fits.is_anchored,
        unnest(fits.house_effects, max_depth := 2)
    from fits
),

final as (
    select
        house_effects.question,
        house_effects.election,
        house_effects.subject_code,
        house_effects.pollster_code,
        pollsters.pollster_name,
        house_effects.n_polls,
        house_effects.house_effect_pts,
        house_effects.house_effect_se_pts,
        house_effects.house_effect_pts - {{ poll_model_z(0.90) }} * house_effects.house_effect_se_pts
            as house_effect_low_90,
        house_effects.house_effect_pts + {{ poll_model_z(0.90) }} * house_effects.house_effect_se_pts
            as house_effect_high_90,
        house_effects.is_anchored
    from house_effects
    left join pollsters on pollsters.pollster_code = house_effects.pollster_code
)

select * from final
