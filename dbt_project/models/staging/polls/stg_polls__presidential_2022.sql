with

source as (
    select * from {{ source('polls', 'polls_presidential_2022') }}
),

renamed as (
    select
        source,
        source_row,
        id as poll_id,
        coalesce(hypothese, 'main') as hypothesis,
        {{ nsppolls_poll_columns() }},
        sous_echantillon as sub_sample_size,
        rolling as is_rolling,
        case tour
            when 'Premier tour' then 'presidential_first_round'
            when 'Deuxième tour' then 'presidential_second_round'
        end as question,
        candidat as subject_label,
        parti as party_label,
        intentions as value_pct,
        erreur_inf as error_low_pct,
        erreur_sup as error_high_pct
    from source
)

select * from renamed
