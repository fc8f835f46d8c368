with

results as (
    select * from {{ ref('int_polls__results_corrected') }}
),

pollster_labels as (
    select * from {{ ref('int_polls__pollster_labels') }}
),

pollsters as (
    select * from {{ ref('ref_poll_pollsters') }}
),

subject_aliases as (
    select * from {{ ref('ref_poll_subject_aliases') }}
),

sources as (
    select * from {{ ref('ref_poll_sources') }}
),

subject_alliances as (
    select * from {{ ref('int_polls__subject_alliances') }}
),

-- One spelling per pollster and subject: the alias seeds map known labels; an unknown label falls
-- back to its slug (and a warn test names it) rather than stopping the build of a daily feed.
coded as (
    select
        results.*,
        pollster_labels.pollster_code,
        coalesce(subject_aliases.subject_code, {{ polls_slug('results.subject_label') }}) as subject_code,
        sources.precedence as source_precedence
    from results
    inner join pollster_labels on pollster_labels.pollster_label = results.pollster_label
    left join subject_aliases on subject_aliases.subject_label = results.subject_label
    inner join sources on sources.source = results.source
),

-- The same poll in two feeds (same pollster, fieldwork and question) is kept from the feed with the
-- best declared precedence (ref_poll_sources.precedence, 1 first).
deduplicated as (
    select *
    from coded
    qualify source_precedence = min(source_precedence) over (
        partition by pollster_code, fieldwork_start, fieldwork_end, question
    )
),

final as (
    select
        deduplicated.poll_id,
        deduplicated.source,
        deduplicated.source_row,
        deduplicated.pollster_code,
        pollsters.pollster_name,
        pollsters.pollster_name as pollster,
        deduplicated.pollster_label,
        deduplicated.sponsor,
        deduplicated.fieldwork_start,
        deduplicated.fieldwork_end,
        deduplicated.poll_date,
        deduplicated.sample_size,
        deduplicated.population,
        deduplicated.method,
        deduplicated.question,
        deduplicated.hypothesis,
        deduplicated.subject_code,
        deduplicated.subject_code as subject,
        deduplicated.subject_label,
        subject_alliances.alliance_code as subject_bloc,
        deduplicated.value_pct,
        deduplicated.is_corrected
    from deduplicated
    left join pollsters on pollsters.pollster_code = deduplicated.pollster_code
    -- The left alliance the subject belonged to on the poll's date (alliances do not overlap).
    left join subject_alliances
        on subject_alliances.subject_code = deduplicated.subject_code
        and deduplicated.poll_date >= subject_alliances.start_date
        and (subject_alliances.end_date is null or deduplicated.poll_date <= subject_alliances.end_date)
)

select * from final
