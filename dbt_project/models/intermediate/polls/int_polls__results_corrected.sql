{#- The errata of ref_poll_errata applied: a corrected figure replaces the published one only while the
    source still publishes the wrong value, so an upstream fix is never overwritten. -#}

with

results as (
    select * from {{ ref('int_polls__results_unioned') }}
),

errata as (
    select * from {{ ref('ref_poll_errata') }}
),

corrected as (
    select
        results.* exclude (sample_size, value_pct),
        case when sample_erratum.poll_id is not null
            then sample_erratum.right_value::integer else results.sample_size end as sample_size,
        case when value_erratum.poll_id is not null
            then value_erratum.right_value else results.value_pct end as value_pct,
        sample_erratum.poll_id is not null or value_erratum.poll_id is not null as is_corrected
    from results
    left join errata as sample_erratum
        on sample_erratum.field = 'sample_size'
        and sample_erratum.source = results.source
        and sample_erratum.poll_id = results.poll_id
        and sample_erratum.wrong_value = results.sample_size
    left join errata as value_erratum
        on value_erratum.field = 'value_pct'
        and value_erratum.source = results.source
        and value_erratum.poll_id = results.poll_id
        and value_erratum.subject_label = results.subject_label
        and value_erratum.wrong_value = results.value_pct
)

select * from corrected
