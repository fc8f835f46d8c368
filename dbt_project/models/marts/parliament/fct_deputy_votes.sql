-- Incremental by scrutin (config in dbt_project.yml): only scrutins whose file is new or changed are
-- rebuilt (macros/incremental_scrutins.sql).

with

deputy_votes as (
    select * from {{ ref('int_parliament__deputy_votes') }}
),

scrutins as (
    select * from {{ ref('int_parliament__scrutins') }}
),

group_votes as (
    select * from {{ ref('int_parliament__group_votes') }}
),

scrutin_files as (
    select * from {{ ref('stg_assemblee__scrutins') }}
),

final as (
    select
        deputy_votes.scrutin_uid,
        deputy_votes.legislature,
        scrutins.vote_date,
        scrutins.vote_type_code,
        scrutins.vote_kind,
        scrutins.in_cohesion_scope,
        deputy_votes.deputy_uid,
        deputy_votes.mandate_uid,
        deputy_votes.source_group_uid,
        deputy_votes.group_uid,
        deputy_votes.group_code,
        deputy_votes.is_unknown_group,
        deputy_votes.appears_in_record,
        deputy_votes.position,
        deputy_votes.position in ('for', 'against', 'abstain') as has_cast,
        deputy_votes.by_delegation,
        deputy_votes.non_voting_cause,
        deputy_votes.non_voting_cause is not null as is_excused,
        deputy_votes.seat_number,
        group_votes.position as group_position,
        case
            when deputy_votes.position in ('for', 'against', 'abstain') and group_votes.position is not null
            then deputy_votes.position = group_votes.position
        end as follows_group,
        deputy_votes.corrected_position,
        deputy_votes.correction_is_malfunction,
        scrutin_files.file_crc32 as scrutin_file_crc32
    from deputy_votes
    inner join scrutins
        on deputy_votes.scrutin_uid = scrutins.scrutin_uid
    inner join scrutin_files
        on deputy_votes.scrutin_uid = scrutin_files.scrutin_uid
    left join group_votes
        on deputy_votes.scrutin_uid = group_votes.scrutin_uid
        and deputy_votes.group_code = group_votes.group_code
    {% if is_incremental() %}
    where deputy_votes.scrutin_uid in ({{ scrutins_with_new_files('scrutin_files') }})
    {% endif %}
)

select * from final
