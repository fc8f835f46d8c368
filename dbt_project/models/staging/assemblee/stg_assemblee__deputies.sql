with

source as (

    select * from {{ source('assemblee', 'an_acteurs') }}

),

newest_dump as (

    {{ keep_newest_dump('source') }}

),

renamed as (

    select
        ----------  ids
        uid as deputy_uid,
        dump_legislature,

        ---------- text
        civ as civility,
        prenom as first_name,
        nom as last_name,
        concat_ws(' ', prenom, nom) as full_name,
        alpha as sort_name,
        trigramme as trigram,
        ville_nais as birth_town,
        dep_nais as birth_department,
        profession_libelle as profession,

        ---------- dates
        date_nais as birth_date,
        date_deces as death_date

    from newest_dump

)

select * from renamed
