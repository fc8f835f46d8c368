with

source as (
    select * from {{ source('polls', 'polls_presidential_2027') }}
),

renamed as (
    select
        source,
        source_row,
        {{ mieuxvoter_poll_keys() }},
        {{ nsppolls_poll_columns() }},
        case tour
            when '1er Tour' then 'presidential_first_round'
            when '2nd Tour' then 'presidential_second_round'
        end as question,
        candidate_id,
        candidat as subject_label,
        parti as party_label,
        intentions as value_pct,
        erreur_inf as error_low_pts,
        erreur_sup as error_high_pts,
        filename as report_file
    from source
)

select * from renamed
