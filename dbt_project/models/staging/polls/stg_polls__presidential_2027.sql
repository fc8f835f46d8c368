with

source as (
    select * from {{ source('polls', 'polls_presidential_2027') }}
),

renamed as (
    select
        source,
        source_row,
        -- The feed's id names one hypothesis (suffix _A, _B, _2A...): the poll is the id without it.
        regexp_replace(poll_id, '_2?[A-Z]$', '') as poll_id,
        poll_id as source_poll_id,
        coalesce(hypothese, 'main') as hypothesis,
        nom_institut as pollster_label,
        commanditaire as sponsor,
        debut_enquete as fieldwork_start,
        fin_enquete as fieldwork_end,
        echantillon as sample_size,
        population,
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
