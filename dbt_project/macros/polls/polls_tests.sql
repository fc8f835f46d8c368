{#- Data tests of the poll models. -#}

{#- Every erratum still matches a staged (published) row: once a feed fixes its error upstream, this
    fails, naming the erratum to retire. -#}
{% test polls_erratum_matches_a_staged_row(model) %}
    with staged as (
        select * from {{ ref('int_polls__results_unioned') }}
    )
    select errata.*
    from {{ model }} as errata
    where not exists (
        select 1
        from staged
        where staged.source = errata.source
            and staged.poll_id = errata.poll_id
            and (errata.subject_label is null or staged.subject_label = errata.subject_label)
            and case errata.field
                when 'sample_size' then staged.sample_size = errata.wrong_value
                when 'value_pct' then staged.value_pct = errata.wrong_value
            end
    )
{% endtest %}

{#- The shares of one poll hypothesis sum to about 100 (outside [min_total, max_total] each offender is
    returned with its total). -#}
{% test polls_hypothesis_shares_sum_about_100(model, questions, min_total=95, max_total=102) %}
    select poll_id, source, question, hypothesis, population, sum(value_pct) as total_pct, count(*) as n_subjects
    from {{ model }}
    where question in ('{{ questions | join("', '") }}')
    group by poll_id, source, question, hypothesis, population
    having sum(value_pct) < {{ min_total }} or sum(value_pct) > {{ max_total }}
{% endtest %}
