{#- One row per mart readers get. The publication waits for this model alone (Dagster's
    published_warehouse depends on it), and every refresh that builds anything builds it
    (lib/dbt_scope.py): a refresh that rebuilt only the marts fed by a changed source still
    publishes, once everything it built passed its tests. A new mart must be listed here;
    tests/test_dbt_project.py fails until it is. -#}

{%- set marts = [
    'dim_deputies',
    'dim_deputy_group_memberships',
    'dim_dossiers',
    'dim_groups',
    'dim_poll_subjects',
    'dim_pollsters',
    'dim_scrutins',
    'fct_deputy_votes',
    'fct_group_votes',
    'fct_ideal_point_fits',
    'fct_poll_model_fits',
    'fct_poll_results',
    'fct_scrutin_outcomes',
    'mart_bloc_fault_lines',
    'mart_bloc_fault_lines_summary',
    'mart_bloc_ideal_points',
    'mart_bloc_pairwise_agreement',
    'mart_bloc_pairwise_agreement_monthly',
    'mart_bloc_unity',
    'mart_bloc_unity_monthly',
    'mart_censure_motions',
    'mart_coalition_patterns',
    'mart_deputy_group_proximity',
    'mart_deputy_ideal_points',
    'mart_deputy_ideal_points_by_period',
    'mart_deputy_loyalty',
    'mart_deputy_pair_agreement',
    'mart_dossier_bloc_positions',
    'mart_government_bill_support',
    'mart_group_cohesion',
    'mart_group_cohesion_monthly',
    'mart_group_ideal_points',
    'mart_group_success',
    'mart_ideal_point_fit',
    'mart_leader_popularity',
    'mart_left_bloc_voting_intention',
    'mart_nupes_monthly',
    'mart_policy_area_bloc_unity',
    'mart_policy_area_cohesion',
    'mart_policy_area_pairwise_agreement',
    'mart_poll_average_daily',
    'mart_poll_model_daily',
    'mart_poll_model_diagnostics',
    'mart_poll_model_house_effects',
    'mart_poll_releases_monthly',
    'mart_pollster_accuracy',
    'mart_pollster_house_effects',
    'mart_scrutin_ideal_parameters',
    'mart_source_anomalies',
    'metricflow_time_spine'
] %}

{% for mart in marts %}
select '{{ mart }}' as mart_name, count(*) as n_rows from {{ ref(mart) }}
{% if not loop.last %}union all{% endif %}
{%- endfor %}
