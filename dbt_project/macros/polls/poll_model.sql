{#- The state-space poll model's intervals (orchestration/lib/poll_model.py, docs/methods.md). -#}

{#- The standard normal quantile of a two-sided interval: the model's posterior is Gaussian, so
    level -/+ z x sd holds the level with that probability (poll_model.py's Z90 and Z95). -#}
{% macro poll_model_z(level) -%}
    {{ {0.90: 1.6448536269514722, 0.95: 1.959963984540054}[level] }}
{%- endmacro %}
