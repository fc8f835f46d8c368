{#- The 95 % interval of an estimate from its bootstrap replicates: estimate +- 1.96 standard
    deviations of the replicates (Lewis & Poole, "Measuring Bias and Uncertainty in Ideal Point
    Estimates via the Parametric Bootstrap", Political Analysis 12(2), 2004). Not the replicates'
    percentiles: refitting simulated ballots shrinks the extreme positions a little further towards
    the prior, so percentile intervals of the most extreme groups can miss their own estimate.
    `replicates` is the relation of the replicates (replicate > 0), `estimate` that of replicate 0. -#}
{% macro bootstrap_interval(column, estimate='estimate', replicates='intervals') -%}
    {{ estimate }}.{{ column }} - 1.96 * {{ replicates }}.{{ column }}_se as {{ column }}_low,
    {{ estimate }}.{{ column }} + 1.96 * {{ replicates }}.{{ column }}_se as {{ column }}_high
{%- endmacro %}
