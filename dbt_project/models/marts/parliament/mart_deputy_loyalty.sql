-- Per deputy and group membership, over the in-scope votes held while a member (both ends included).
-- Participation: votes cast over votes held, leaving out the non-votes the source explains
-- (non_voting_cause PAN: president of the Assemblée; PSE: presiding the sitting; MG: member of the
-- government). Solemn participation: the same on the solemn votes (SPS) alone. Loyalty: the
-- deputy's ballots cast under this group's code where the group has a position.
with

memberships as (
    select * from {{ ref('dim_deputy_group_memberships') }}
),

scrutins as (
    select * from {{ ref('int_parliament__scrutins') }}
    where in_cohesion_scope
),

deputy_votes as (
    select * from {{ ref('fct_deputy_votes') }}
    where appears_in_record
),

held as (
    select
        memberships.membership_key,
        memberships.deputy_uid,
        memberships.legislature,
        memberships.group_code,
        memberships.start_date,
        memberships.end_date,
        scrutins.vote_type_code = 'SPS' as is_solemn,
        deputy_votes.has_cast,
        deputy_votes.is_excused,
        deputy_votes.by_delegation,
        deputy_votes.group_code = memberships.group_code and deputy_votes.follows_group is not null
            as counts_for_loyalty,
        deputy_votes.follows_group
    from memberships
    inner join scrutins
        on memberships.legislature = scrutins.legislature
        and scrutins.vote_date between memberships.start_date and coalesce(memberships.end_date, date '9999-12-31')
    left join deputy_votes
        on scrutins.scrutin_uid = deputy_votes.scrutin_uid
        and memberships.deputy_uid = deputy_votes.deputy_uid
),

counted as (
    select
        membership_key,
        deputy_uid,
        legislature,
        group_code,
        start_date,
        end_date,
        count(*)::integer as n_votes_held,
        (count(*) filter (where is_excused))::integer as n_excused,
        (count(*) filter (where has_cast))::integer as n_votes_cast,
        (count(*) filter (where has_cast and by_delegation))::integer as n_by_delegation,
        (count(*) filter (where counts_for_loyalty))::integer as n_votes,
        (count(*) filter (where counts_for_loyalty and follows_group))::integer as n_follows,
        (count(*) filter (where is_solemn))::integer as n_solemn_votes_held,
        (count(*) filter (where is_solemn and is_excused))::integer as n_solemn_excused,
        (count(*) filter (where is_solemn and has_cast))::integer as n_solemn_votes_cast
    from held
    group by all
),

final as (
    -- columns are put in the contract's order by dbt
    select
        *,
        {{ safe_ratio('n_follows', 'n_votes') }} as loyalty_rate,
        n_votes - n_follows as n_dissent,
        {{ safe_ratio('n_votes_cast', 'n_votes_held - n_excused') }} as participation_rate,
        {{ safe_ratio('n_solemn_votes_cast', 'n_solemn_votes_held - n_solemn_excused') }} as solemn_participation_rate,
        {{ safe_ratio('n_by_delegation', 'n_votes_cast') }} as delegations_rate
    from counted
)

select * from final
