/*
 * jcs_jansson.c
 *		jcs_source over jansson trees.
 */
#include "jcs_jansson.h"

#include <stdio.h>
#include <string.h>

void
jcs_jansson_value(const json_t *j, jcs_value *out)
{
	memset(out, 0, sizeof(*out));
	switch (json_typeof(j))
	{
		case JSON_OBJECT:
			out->type = JCS_OBJECT;
			out->ref = j;
			out->count = json_object_size(j);
			break;
		case JSON_ARRAY:
			out->type = JCS_ARRAY;
			out->ref = j;
			out->count = json_array_size(j);
			break;
		case JSON_STRING:
			out->type = JCS_STRING;
			out->str = json_string_value(j);
			out->len = json_string_length(j);
			break;
		case JSON_INTEGER:
			out->type = JCS_NUMBER;
			out->str = NULL;	/* printed on demand by number_text */
			out->ref = j;
			break;
		case JSON_REAL:
			out->type = JCS_DOUBLE;
			out->dbl = json_real_value(j);
			break;
		case JSON_TRUE:
			out->type = JCS_TRUE;
			break;
		case JSON_FALSE:
			out->type = JCS_FALSE;
			break;
		case JSON_NULL:
			out->type = JCS_NULL;
			break;
	}
}

static int
array_items(void *arg, const void *ref, size_t count, jcs_value *out)
{
	const json_t *a = ref;

	if (json_array_size(a) != count)
		return -1;
	for (size_t i = 0; i < count; i++)
		jcs_jansson_value(json_array_get(a, i), &out[i]);
	return 0;
}

static int
object_members(void *arg, const void *ref, size_t count, jcs_member *out)
{
	json_t	   *o = (json_t *) ref;
	size_t		i = 0;

	for (void *it = json_object_iter(o); it; it = json_object_iter_next(o, it))
	{
		if (i >= count)
			return -1;
		memset(&out[i].key, 0, sizeof(jcs_value));
		out[i].key.type = JCS_STRING;
		out[i].key.str = json_object_iter_key(it);
		out[i].key.len = json_object_iter_key_len(it);
		jcs_jansson_value(json_object_iter_value(it), &out[i].value);
		i++;
	}
	return i == count ? 0 : -1;
}

static int
number_text(void *arg, const void *ref, jcs_buf *scratch)
{
	char		tmp[32];
	int			n = snprintf(tmp, sizeof(tmp), "%" JSON_INTEGER_FORMAT,
							 json_integer_value((const json_t *) ref));

	return jcs_buf_append(scratch, tmp, (size_t) n);
}

static const jcs_source jansson_source = {array_items, object_members, number_text, NULL};

const jcs_source *
jcs_jansson_source(void)
{
	return &jansson_source;
}
