"""Statements every lead runs, as SQL built once per process from the models' own metadata.

Django builds a statement anew on every call: for a one-row read, insert or update of a wide
model its compiler costs several times the statement itself (0.2-0.5 ms each on this stack),
and a lead runs a few dozen of them between its POST and its first text. Here the SQL text is
built once per model, shape and database vendor from `_meta` (no column list is kept by hand:
a field added to a model is in the statement), while everything else stays the ORM's: values
are prepared by each field (`pre_save`, `get_db_prep_save`), read values go through the same
converters the ORM applies, and rows become instances through `Model.from_db`.

Only for statements on the hot path whose shape never changes; everything else uses the ORM.
No model signals are sent (the project has no pre_save/post_save receivers: a test says so)."""

from functools import cache

from django.db import connection
from django.db.models import Model

# --- Reading -----------------------------------------------------------------------------------


# The cached converters are bound to the first thread's connection operations: they read only
# settings (the database's time zone), the same for every thread.
@cache
def _reader(model: type[Model], vendor: str):
    """SELECT list, attnames and converters of every concrete field, in _meta's order."""
    fields = model._meta.concrete_fields
    table = _quoted(model._meta.db_table)
    columns = ", ".join(f"{table}.{_quoted(field.column)}" for field in fields)
    return columns, [field.attname for field in fields], _converters_of(model, fields)


@cache
def _select(model: type[Model], vendor: str, keys: tuple, suffix: str, related: str | None):
    """keys: (name, None) for `= %s`, (name, n) for `IN (n placeholders)`."""
    columns, _, _ = _reader(model, vendor)
    source = _quoted(model._meta.db_table)
    if related:
        link = model._meta.get_field(related)
        target = link.related_model
        columns = f"{columns}, {_reader(target, vendor)[0]}"
        target_pk = f"{_quoted(target._meta.db_table)}.{_quoted(target._meta.pk.column)}"
        source = f"{source} JOIN {_quoted(target._meta.db_table)} ON {_qualified(model, link)} = {target_pk}"
    fields = [_lookup(model, name) for name, _ in keys]
    where = " AND ".join(
        f"{_qualified(owner, field)} = %s"
        if count is None
        else f"{_qualified(owner, field)} IN ({', '.join(['%s'] * count)})"
        for (owner, field), (_, count) in zip(fields, keys, strict=True)
    )
    sql = f"SELECT {columns} FROM {source} WHERE {where} {suffix}".rstrip()
    return sql, [field for _, field in fields]


def get(model: type[Model], *, suffix: str = "", with_related: str | None = None, **equal) -> Model | None:
    """The row whose fields equal `equal` (e.g. pk=..., active=True) as an instance, or None.

    suffix: what follows the WHERE clause, e.g. "LIMIT 1" or "FOR UPDATE".
    with_related: a foreign key whose row is read in the same statement (as select_related);
    `equal` may then name its fields as `<key>__<field>`."""
    sql, fields = _select(
        model, connection.vendor, tuple((name, None) for name in equal), suffix, with_related
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, _prepared(fields, equal.values()))
        row = cursor.fetchone()
    if row is None:
        return None
    instance = _instance(model, row)
    if with_related:
        related = model._meta.get_field(with_related).related_model
        setattr(instance, with_related, _instance(related, row[len(model._meta.concrete_fields) :]))
    return instance


def all(model: type[Model], *, suffix: str = "", **equal) -> list[Model]:
    """Every row whose fields equal `equal`, as instances; a list or tuple value means any of
    its values (`IN`), and an empty one matches nothing."""
    if any(isinstance(value, list | tuple) and not value for value in equal.values()):
        return []
    keys = tuple(
        (name, len(value) if isinstance(value, list | tuple) else None) for name, value in equal.items()
    )
    sql, fields = _select(model, connection.vendor, keys, suffix, None)
    params = []
    for field, value in zip(fields, equal.values(), strict=True):
        params += (
            _prepared([field] * len(value), value)
            if isinstance(value, list | tuple)
            else _prepared([field], [value])
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [_instance(model, row) for row in cursor.fetchall()]


def values(model: type[Model], names: list[str], *, suffix: str = "", **equal) -> list[tuple]:
    """The named fields of every row whose fields equal `equal`, as tuples (values_list)."""
    sql, fields, wanted = _values_reader(model, connection.vendor, tuple(names), tuple(equal), suffix)
    with connection.cursor() as cursor:
        cursor.execute(sql, _prepared(fields, equal.values()))
        found = cursor.fetchall()
    return [tuple(_converted(row, wanted)) for row in found]


@cache
def _values_reader(
    model: type[Model], vendor: str, names: tuple[str, ...], keys: tuple[str, ...], suffix: str
):
    sql, fields = _select(model, vendor, tuple((key, None) for key in keys), suffix, None)
    columns, _, _ = _reader(model, vendor)
    wanted = [_field(model, name) for name in names]
    chosen = ", ".join(_qualified(model, field) for field in wanted)
    return sql.replace(f"SELECT {columns} ", f"SELECT {chosen} ", 1), fields, _converters_of(model, wanted)


def _converters_of(model: type[Model], fields) -> list:
    """(converters, column) of each field, as the ORM applies them to what the database returns."""
    converters = []
    for field in fields:
        column = field.get_col(model._meta.db_table)
        converters.append(
            (connection.ops.get_db_converters(column) + field.get_db_converters(connection), column)
        )
    return converters


def _instance(model: type[Model], row) -> Model:
    _, attnames, converters = _reader(model, connection.vendor)
    return model.from_db(connection.alias, attnames, _converted(row[: len(attnames)], converters))


def _lookup(model: type[Model], key: str):
    """(model the field belongs to, field) for `name` or `<foreign key>__<name>`."""
    if "__" not in key:
        return model, _field(model, key)
    link, name = key.split("__", 1)
    target = model._meta.get_field(link).related_model
    return target, _field(target, name)


def _qualified(model: type[Model], field) -> str:
    return f"{_quoted(model._meta.db_table)}.{_quoted(field.column)}"


def refresh(instance: Model, names: list[str]) -> Model:
    """Read these fields of the instance's row again, as refresh_from_db(fields=...) does."""
    sql, fields, converters = _refresher(type(instance), connection.vendor, tuple(names))
    pk_field = instance._meta.pk
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk_field.get_db_prep_value(instance.pk, connection, prepared=False)])
        row = cursor.fetchone()
    if row is None:
        raise type(instance).DoesNotExist(f"{type(instance).__name__} {instance.pk} is gone")
    for field, value in zip(fields, _converted(row, converters), strict=True):
        setattr(instance, field.attname, value)
    return instance


@cache
def _refresher(model: type[Model], vendor: str, names: tuple[str, ...]):
    fields = [_field(model, name) for name in names]
    columns = ", ".join(_quoted(field.column) for field in fields)
    sql = f"SELECT {columns} FROM {_quoted(model._meta.db_table)} WHERE {_quoted(model._meta.pk.column)} = %s"
    return sql, fields, _converters_of(model, fields)


def _converted(row, converters) -> list:
    values = list(row)
    for index, (functions, column) in enumerate(converters):
        for convert in functions:
            values[index] = convert(values[index], column, connection)
    return values


# --- Writing -----------------------------------------------------------------------------------


@cache
def _inserter(model: type[Model], vendor: str, pk_set: bool, count: int = 1):
    meta = model._meta
    fields = [
        f for f in meta.local_concrete_fields if not f.generated and (pk_set or f is not meta.auto_field)
    ]
    returning = list(meta.db_returning_fields) if connection.features.can_return_columns_from_insert else []
    one_row = f"({', '.join(['%s'] * len(fields))})"
    sql = (
        f"INSERT INTO {_quoted(meta.db_table)} ({', '.join(_quoted(f.column) for f in fields)})"
        f" VALUES {', '.join([one_row] * count)}"
    )
    if returning:
        sql += f" RETURNING {', '.join(_quoted(f.column) for f in returning)}"
    return sql, fields, returning


def insert(instance: Model) -> Model:
    """Insert the instance as `save(force_insert=True)` would, its auto-set values filled in."""
    meta = instance._meta
    instance._prepare_related_fields_for_save(operation_name="save")  # an unsaved related object is an error
    if not instance._is_pk_set(meta):
        setattr(instance, meta.pk.attname, meta.pk.get_pk_value_on_save(instance))
    sql, fields, returning = _inserter(type(instance), connection.vendor, instance._is_pk_set(meta))
    values = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        if returning:
            for field, value in zip(returning, cursor.fetchone(), strict=True):
                setattr(instance, field.attname, value)
        elif meta.auto_field is not None and getattr(instance, meta.auto_field.attname) is None:
            setattr(
                instance,
                meta.auto_field.attname,
                connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column),
            )
    instance._state.adding = False
    instance._state.db = connection.alias
    return instance


def insert_all(instances: list[Model]) -> list[Model]:
    """Insert instances of one model in one statement, as `bulk_create` would, each one's
    auto-set values filled in (one statement each where the database cannot return the rows)."""
    if len(instances) < 2 or not connection.features.can_return_rows_from_bulk_insert:
        return [insert(instance) for instance in instances]
    model, meta = type(instances[0]), instances[0]._meta
    for instance in instances:
        if type(instance) is not model:
            raise TypeError(
                f"insert_all takes instances of one model: {model.__name__}, not {type(instance).__name__}"
            )
        instance._prepare_related_fields_for_save(operation_name="bulk_create")
        if not instance._is_pk_set(meta):
            setattr(instance, meta.pk.attname, meta.pk.get_pk_value_on_save(instance))
    pk_set = {instance._is_pk_set(meta) for instance in instances}
    if len(pk_set) > 1:
        raise ValueError("insert_all takes instances that all have their primary key, or none")
    sql, fields, returning = _inserter(model, connection.vendor, pk_set.pop(), len(instances))
    values = [
        field.get_db_prep_save(field.pre_save(instance, True), connection)
        for instance in instances
        for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        returned = cursor.fetchall() if returning else []
    # The database returns the rows in the order of VALUES (bulk_create relies on it too).
    for instance, row in zip(instances, returned, strict=False):
        for field, value in zip(returning, row, strict=True):
            setattr(instance, field.attname, value)
    for instance in instances:
        instance._state.adding = False
        instance._state.db = connection.alias
    return instances


@cache
def _updater(
    model: type[Model], vendor: str, names: tuple[str, ...], keys: tuple[str, ...], keep: tuple[str, ...]
):
    fields, where_fields = [_field(model, name) for name in names], [_field(model, key) for key in keys]
    assignments = ", ".join(
        f"{_quoted(field.column)} = COALESCE({_quoted(field.column)}, %s)"
        if field.name in keep
        else f"{_quoted(field.column)} = %s"
        for field in fields
    )
    where = " AND ".join(f"{_quoted(field.column)} = %s" for field in where_fields)
    return f"UPDATE {_quoted(model._meta.db_table)} SET {assignments} WHERE {where}", fields, where_fields


def update(model: type[Model], values: dict, *, keep_if_set: tuple[str, ...] = (), **equal) -> int:
    """`UPDATE <table> SET <field> = <value>, ... WHERE <field> = <value> AND ...`: the rows
    changed. Plain values only (no expressions), each prepared by its field; a field named in
    keep_if_set is written only where it is NULL (`COALESCE(field, value)`)."""
    sql, fields, where_fields = _updater(model, connection.vendor, tuple(values), tuple(equal), keep_if_set)
    prepared = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, values.values(), strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*prepared, *_prepared(where_fields, equal.values())])
        return cursor.rowcount


def _field(model: type[Model], name: str):
    return model._meta.pk if name == "pk" else model._meta.get_field(name)


def _prepared(fields, values) -> list:
    """Values for `field = %s`, as an exact lookup prepares them (a UUID as text on SQLite...)."""
    return [
        field.get_db_prep_value(value, connection, prepared=False)
        for field, value in zip(fields, values, strict=True)
    ]


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)
