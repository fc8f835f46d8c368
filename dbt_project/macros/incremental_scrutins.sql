{#
  Incremental fact tables by scrutin (fct_deputy_votes, fct_group_votes).

  Each row carries `scrutin_file_crc32`, the CRC-32 of the scrutin's file it was built from
  (stg_assemblee__scrutins.file_crc32). The raw loader rewrites a scrutin's rows only when its file
  is new or changed, so an incremental build rebuilds exactly:
  - the scrutins whose (uid, file CRC-32) the table does not hold yet: new or changed files
    (scrutins_with_new_files), replaced whole by delete+insert on scrutin_uid, so a voter who
    disappeared from a changed file disappears from the table too;
  - and, in a post-hook, deletes the rows whose file version is no longer the current one: the
    scrutins whose file vanished from the dump (or that no longer yield any row).
  The comparison is on content, not on load times: a build that failed half-way, or a raw layer
  restored from a backup, is caught up by the next build all the same.

  What this cannot see: a change of a seed or of the SQL itself. After one, run a full refresh
  (`dbt build --full-refresh`, or the `full_refresh` run config of the dbt asset in Dagster).
#}

{% macro scrutins_with_new_files(scrutins) -%}
    {%- set built_columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
    {%- if 'scrutin_file_crc32' not in built_columns -%}
        {{ exceptions.raise_compiler_error(
            this ~ " was built before it carried scrutin_file_crc32 (before it became incremental):"
            ~ " rebuild it once with a full refresh (dbt build --full-refresh, or the full_refresh run config)"
        ) }}
    {%- endif %}
    select scrutins.scrutin_uid
    from {{ scrutins }} as scrutins
    where not exists (
        select 1
        from {{ this }} as built
        where built.scrutin_uid = scrutins.scrutin_uid
            and built.scrutin_file_crc32 = scrutins.file_crc32
    )
{%- endmacro %}

{% macro delete_rows_of_replaced_scrutin_files() -%}
    delete from {{ this }} as built
    where not exists (
        select 1
        from {{ ref('stg_assemblee__scrutins') }} as scrutins
        where scrutins.scrutin_uid = built.scrutin_uid
            and scrutins.file_crc32 = built.scrutin_file_crc32
    )
{%- endmacro %}
