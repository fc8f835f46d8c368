with

fits as (
    select * exclude (deputies, scrutins) from {{ ref('fct_ideal_point_fits') }}
),

final as (
    {% for dims in [1, 2] %}
    select
        legislature::smallint as legislature,
        {{ dims }}::smallint as dimensions,
        {{ 'true' if dims == 2 else 'false' }} as is_published,
        n_deputies,
        n_scrutins,
        n_ballots,
        n_deputies_dropped,
        n_scrutins_dropped,
        n_iterations_{{ dims }}d as n_em_steps,
        share_correct_{{ dims }}d as share_correct,
        apre_{{ dims }}d as apre,
        geometric_mean_probability_{{ dims }}d as geometric_mean_probability,
        {{ 'n_bootstrap' if dims == 2 else 'null::integer' }} as n_bootstrap
    from fits
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from final
