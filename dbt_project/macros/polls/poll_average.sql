{#- The poll-averaging formula of docs/methods.md, in one place. Parameters are the dbt vars
    poll_window_days, poll_half_life_days, poll_sample_weight_cap, poll_house_effect_shrinkage_polls. -#}

{#- A poll's day: the midpoint of its fieldwork, rounded down to a day (a one-day poll sits on its day). -#}
{% macro poll_midpoint(fieldwork_start, fieldwork_end) -%}
    ({{ fieldwork_start }} + cast(floor(datediff('day', {{ fieldwork_start }}, {{ fieldwork_end }}) / 2) as integer))
{%- endmacro %}

{#- min(sqrt(n / 1000), cap). A poll whose sample size is unknown counts as the reference 1,000
    interviews (factor 1): it is neither dropped nor favoured. -#}
{% macro poll_sample_factor(sample_size) -%}
    least(sqrt(coalesce({{ sample_size }}, 1000) / 1000.0), {{ var('poll_sample_weight_cap') }})
{%- endmacro %}

{#- w = sample factor x 0.5 ^ (age / half-life) / (polls by the same pollster in the window). -#}
{% macro poll_weight(sample_size, age_days, n_pollster_polls_in_window) -%}
    {{ poll_sample_factor(sample_size) }}
        * power(0.5, {{ age_days }} / {{ var('poll_half_life_days') }}::double)
        / {{ n_pollster_polls_in_window }}
{%- endmacro %}

{#- Shrinks a pollster's raw house effect towards zero: m / (m + k), m its polls compared. -#}
{% macro house_effect_shrinkage(n_polls) -%}
    ({{ n_polls }} / ({{ n_polls }} + {{ var('poll_house_effect_shrinkage_polls') }})::double)
{%- endmacro %}
