-- Per legislature x policy area x bloc: how often the alliance's groups all took the same position
-- on the area's in-scope votes (the measures of mart_bloc_unity, same macro), and the pair of its
-- member groups that agreed least in that area (from mart_policy_area_pairwise_agreement), with the
-- votes behind that rate. The least-agreeing pair is taken among pairs with at least one shared
-- vote; ties go to the pair with more votes, then to the alphabetical order of the codes.
with

bloc_votes as (

    select * from {{ ref('int_parliament__bloc_votes') }}

),

pair_agreement as (

    select * from {{ ref('mart_policy_area_pairwise_agreement') }}

),

scrutin_policy_areas as (

    select * from {{ ref('int_dossiers__scrutin_policy_areas') }}

),

bloc_members as (

    select distinct legislature, group_code, bloc
    from {{ ref('ref_parliament_groups') }}
    where bloc is not null

),

unity as (

    select
        bloc_votes.legislature,
        scrutin_policy_areas.policy_area,
        bloc_votes.bloc,
        {{ bloc_unity_measures() }}

    from bloc_votes
    inner join scrutin_policy_areas
        on bloc_votes.scrutin_uid = scrutin_policy_areas.scrutin_uid
    group by all

),

member_pair_agreement as (

    select
        pair_agreement.*,
        member_a.bloc

    from pair_agreement
    inner join bloc_members as member_a
        on pair_agreement.legislature = member_a.legislature
        and pair_agreement.group_code_a = member_a.group_code
    inner join bloc_members as member_b
        on pair_agreement.legislature = member_b.legislature
        and pair_agreement.group_code_b = member_b.group_code
        and member_a.bloc = member_b.bloc

),

least_agreeing_pair as (

    select * from member_pair_agreement
    where n_votes > 0
    qualify row_number() over (
        partition by legislature, policy_area, bloc
        order by agreement_rate, n_votes desc, group_code_a, group_code_b
    ) = 1

),

final as (

    select
        unity.*,
        least_agreeing_pair.group_code_a as least_agreeing_group_a,
        least_agreeing_pair.group_code_b as least_agreeing_group_b,
        least_agreeing_pair.n_votes as least_agreeing_pair_n_votes,
        least_agreeing_pair.n_agree as least_agreeing_pair_n_agree,
        least_agreeing_pair.agreement_rate as least_agreeing_pair_agreement_rate

    from unity
    left join least_agreeing_pair
        on unity.legislature = least_agreeing_pair.legislature
        and unity.policy_area = least_agreeing_pair.policy_area
        and unity.bloc = least_agreeing_pair.bloc

)

select * from final
