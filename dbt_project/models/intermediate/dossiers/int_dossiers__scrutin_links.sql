-- Every scrutin with the dossier it belongs to, where the record allows, and the method that tied
-- them. Methods, in order of trust; a scrutin takes the first that gives exactly one dossier:
--   1 decision_vote_ref      a decision act of the dossier names the scrutin (voteRefs);
--   2 scrutin_dossier_ref    the scrutin's own dossier reference (objet.dossierLegislatif, 17th);
--   3 same_sitting_decision  the only dossier with a decision act in the scrutin's sitting, unless
--                            the scrutin's title names another dossier's text (in the 16th, one
--                            sitting-only link in five contradicts the title: amendments to text A
--                            voted in a sitting that ended with the vote on text B);
--   4 title_text_name        the text's name quoted in the title equals one of a dossier's text
--                            names (int_dossiers__text_names) of a dossier in the dump of the
--                            scrutin's legislature; when several dossiers carry that name (a bill
--                            refiled, a report), the ones with an act in the scrutin's sitting are
--                            preferred, then those of the scrutin's legislature.
-- A method that leaves two dossiers tied links nothing: the scrutin goes on to the next method, or
-- stays unlinked (dossier_uid null, counted by a warn test), never linked to two dossiers.
with

scrutins as (

    select * from {{ ref('stg_assemblee__scrutins') }}

),

acts as (

    select * from {{ ref('stg_assemblee__dossier_acts') }}

),

dossiers as (

    select * from {{ ref('stg_assemblee__dossiers') }}

),

dossier_text_names as (

    select * from {{ ref('int_dossiers__text_names') }}

),

scrutin_text_names as (

    select
        scrutin_uid,
        legislature,
        sitting_uid,
        dossier_ref,
        nullif({{ text_name_of('title') }}, '') as text_name

    from scrutins

),

named_by_decision as (

    select distinct
        vote_uid as scrutin_uid,
        dossier_uid

    from acts, unnest(acts.vote_uids) as named (vote_uid)

),

own_reference as (

    select scrutin_uid, dossier_ref as dossier_uid
    from scrutin_text_names
    where dossier_ref is not null

),

title_candidates as (

    select
        scrutin_text_names.scrutin_uid,
        dossier_text_names.dossier_uid,
        exists(
            select 1 from acts
            where acts.dossier_uid = dossier_text_names.dossier_uid
                and acts.sitting_uid = scrutin_text_names.sitting_uid
        ) as acts_in_sitting,
        coalesce(dossiers.legislature = scrutin_text_names.legislature, false) as same_legislature

    from scrutin_text_names
    inner join dossier_text_names
        on scrutin_text_names.text_name = dossier_text_names.text_name
    inner join dossiers
        on dossier_text_names.dossier_uid = dossiers.dossier_uid
        -- only dossiers the scrutin's own legislature's dump carries (its own, and older ones
        -- still alive then): a bill of a past legislature refiled under the same name is another dossier
        and dossiers.dump_legislature = scrutin_text_names.legislature

),

title_matches as (

    select scrutin_uid, dossier_uid
    from title_candidates
    qualify rank() over (
        partition by scrutin_uid
        order by acts_in_sitting desc, same_legislature desc
    ) = 1

),

sitting_deciders as (

    select
        sitting_uid,
        min(dossier_uid) as dossier_uid

    from acts
    where is_decision and sitting_uid is not null
    group by sitting_uid
    having count(distinct dossier_uid) = 1

),

same_sitting_decision as (

    select
        scrutin_text_names.scrutin_uid,
        sitting_deciders.dossier_uid

    from scrutin_text_names
    inner join sitting_deciders
        on scrutin_text_names.sitting_uid = sitting_deciders.sitting_uid
    where not exists (
        select 1 from title_candidates
        where title_candidates.scrutin_uid = scrutin_text_names.scrutin_uid
    ) or exists (
        select 1 from title_candidates
        where title_candidates.scrutin_uid = scrutin_text_names.scrutin_uid
            and title_candidates.dossier_uid = sitting_deciders.dossier_uid
    )

),

candidates as (

    select scrutin_uid, dossier_uid, 1 as method_rank, 'decision_vote_ref' as link_method from named_by_decision
    union all
    select scrutin_uid, dossier_uid, 2, 'scrutin_dossier_ref' from own_reference
    union all
    select scrutin_uid, dossier_uid, 3, 'same_sitting_decision' from same_sitting_decision
    union all
    select scrutin_uid, dossier_uid, 4, 'title_text_name' from title_matches

),

unambiguous as (

    select
        scrutin_uid,
        method_rank,
        any_value(link_method) as link_method,
        min(dossier_uid) as dossier_uid

    from candidates
    group by scrutin_uid, method_rank
    having count(distinct dossier_uid) = 1

),

first_method as (

    select * from unambiguous
    qualify row_number() over (partition by scrutin_uid order by method_rank) = 1

),

final as (

    select
        scrutin_text_names.scrutin_uid,
        scrutin_text_names.legislature,
        first_method.dossier_uid,
        first_method.link_method,
        scrutin_text_names.text_name as title_text_name

    from scrutin_text_names
    left join first_method
        on scrutin_text_names.scrutin_uid = first_method.scrutin_uid

)

select * from final
