-- The group votes inside the scope of cohesion, agreement and participation (Assemblée votes of
-- types SPO and SPS, known groups only), each with its Desposato-corrected Agreement Index.
with

group_votes as (
    select * from {{ ref('int_parliament__group_votes') }}
    where in_cohesion_scope and not is_unknown_group
),

desposato as (
    {{ desposato_expected_agreement_index('group_votes', ['scrutin_uid', 'group_code'], var('desposato_sample_size')) }}
),

final as (
    select
        group_votes.*,
        desposato.expected_agreement_index as desposato_agreement_index
    from group_votes
    left join desposato
        on group_votes.scrutin_uid = desposato.scrutin_uid
        and group_votes.group_code = desposato.group_code
)

select * from final
