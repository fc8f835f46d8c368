-- Every normalised name under which a dossier's text can be quoted in a vote's title: the full
-- titles of its documents that name a bill or resolution ("proposition de loi visant à ..."), and
-- its own title when it is written that way. Titles such as "Engagement de la responsabilité du
-- Gouvernement sur ... le projet de loi de finances" are left out: they quote another dossier's text.
with

documents as (

    select * from {{ ref('stg_assemblee__documents') }}

),

dossiers as (

    select * from {{ ref('stg_assemblee__dossiers') }}

),

candidate_titles as (

    select dossier_uid, title from documents
    union all
    select dossier_uid, short_title from documents
    union all
    select dossier_uid, title from dossiers

),

normalised as (

    select distinct
        dossier_uid,
        {{ normalize_title('title') }} as text_name

    from candidate_titles
    where dossier_uid is not null

),

text_names as (

    select * from normalised
    where regexp_matches(text_name, '^(projet|proposition) (de loi|de resolution|europeenne)')

)

select * from text_names
