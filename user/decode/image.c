// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Images: what an exec put into a process (paths, argv, the environment
 * variables we were asked to keep), decoded from the kernel's record. The
 * record is untrusted input: every section is bounded by its length field
 * and by the record's size.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

#define ENV_VALUE_MAX 4096 /* a longer value is cut, flagged DS_F_ENV_TRUNC */

struct image *image_new(void)
{
	struct image *img = calloc(1, sizeof(*img));

	if (img)
		img->refs = 1;
	return img;
}

struct image *image_get(struct image *img)
{
	if (img)
		img->refs++;
	return img;
}

static void image_free_env(struct image *img)
{
	size_t i;

	for (i = 0; i < img->nenv; i++) {
		free(img->env[i].name);
		free(img->env[i].value);
	}
	free(img->env);
	img->env = NULL;
	img->nenv = 0;
}

void image_put(struct image *img)
{
	int i;

	if (!img || --img->refs > 0)
		return;
	for (i = 0; i < img->argc; i++)
		free(img->argv[i]);
	free(img->argv);
	free(img->cmdline);
	free(img->exe);
	free(img->filename);
	free(img->name);
	free(img->cwd);
	free(img->root);
	free(img->host_exe);
	free(img->host_cwd);
	image_free_env(img);
	free(img);
}

/* argv from a NUL-separated buffer; a last string without NUL was cut. */
int image_set_argv(struct image *img, const char *buf, size_t len)
{
	size_t i, n = 0, pos = 0;
	char *line;

	for (i = 0; i < len; i++)
		if (buf[i] == '\0')
			n++;
	if (len && buf[len - 1] != '\0')
		n++;
	img->argv = calloc(n + 1, sizeof(char *));
	line = malloc(len + 1);
	if (!img->argv || !line) {
		free(line);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		size_t l = strnlen(buf + pos, len - pos);

		img->argv[i] = strndup(buf + pos, l);
		if (!img->argv[i]) {
			free(line);
			return -ENOMEM;
		}
		img->argc++;
		memcpy(line + pos, buf + pos, l);
		pos += l;
		if (pos < len)
			line[pos++] = i + 1 < n ? ' ' : '\0';
	}
	line[pos] = '\0';
	img->cmdline = line;
	return 0;
}

static bool wanted(const struct strlist *vars, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < vars->n; i++)
		if (strlen(vars->v[i]) == len && memcmp(vars->v[i], name, len) == 0)
			return true;
	return false;
}

static int env_add(struct image *img, const char *name, size_t nlen, const char *val, size_t vlen)
{
	struct envvar *e = realloc(img->env, (img->nenv + 1) * sizeof(*e));

	if (!e)
		return -ENOMEM;
	img->env = e;
	e = &img->env[img->nenv];
	e->name = strndup(name, nlen);
	e->value = strndup(val, vlen < ENV_VALUE_MAX ? vlen : ENV_VALUE_MAX);
	if (vlen > ENV_VALUE_MAX)
		img->flags |= DS_F_ENV_TRUNC;
	if (!e->name || !e->value) {
		free(e->name);
		free(e->value);
		return -ENOMEM;
	}
	img->nenv++;
	return 0;
}

/* Keep the variables named in vars from a NAME=VALUE\0... block. */
int image_set_env(struct image *img, const char *buf, size_t len, const struct strlist *vars)
{
	size_t pos = 0;

	image_free_env(img);
	while (pos < len) {
		const char *s = buf + pos;
		size_t l = strnlen(s, len - pos);
		const char *eq = memchr(s, '=', l);

		if (eq && wanted(vars, s, eq - s) &&
		    env_add(img, s, eq - s, eq + 1, l - (eq - s) - 1))
			return -ENOMEM;
		pos += l + 1;
	}
	return 0;
}

int image_inherit_env(struct image *img, const struct image *from)
{
	size_t i;

	for (i = 0; from && i < from->nenv; i++) {
		const struct envvar *e = &from->env[i];

		if (env_add(img, e->name, strlen(e->name), e->value, strlen(e->value)))
			return -ENOMEM;
	}
	return 0;
}

/* "/a/b/c" from the kernel's walk (decode/path.c), or NULL when malformed. */
static char *path_from_components(const char *buf, size_t len)
{
	char *out = malloc(len + 2);

	if (out && file_path_join(buf, len, out, len + 2)) {
		free(out);
		out = NULL;
	}
	return out;
}

static char *basename_dup(const char *path)
{
	const char *slash = strrchr(path, '/');

	return strdup(slash && slash[1] ? slash + 1 : path);
}

struct image *image_from_exec(const struct ds_exec *e, const char *data, size_t len,
			      const struct strlist *env_vars)
{
	size_t need = (size_t)e->args_len + e->filename_len + e->exe_len + e->cwd_len +
		      e->root_len + e->env_len;
	const char *d = data;
	struct image *img;

	if (need > len)
		return NULL; /* the caller counts it as malformed */
	img = image_new();
	if (!img)
		return NULL;
	img->flags = e->hdr.flags;
	memcpy(img->comm, e->comm, DS_COMM_LEN - 1);
	img->exe_mode = e->exe_mode;
	img->dir_mode = e->dir_mode;
	img->exe_ctime = e->exe_ctime;
	if (image_set_argv(img, d, e->args_len))
		goto fail;
	if (e->argc > (uint32_t)img->argc && e->argc <= INT_MAX)
		img->argc_total = (int)e->argc;
	d += e->args_len;
	img->filename = strndup(d, e->filename_len);
	d += e->filename_len;
	if (e->exe_len && d[e->exe_len - 1] == '\0')
		img->exe = path_from_components(d, e->exe_len);
	if (!img->exe) { /* the path as invoked stands in for it, as whole as it is */
		img->exe = strdup(img->filename ? img->filename : "");
		if (e->hdr.flags & DS_F_FILENAME_TRUNC)
			img->flags |= DS_F_EXE_TRUNC;
	}
	d += e->exe_len;
	if (e->cwd_len && d[e->cwd_len - 1] == '\0')
		img->cwd = path_from_components(d, e->cwd_len);
	else if (!e->cwd_len && !(e->hdr.flags & DS_F_CWD_TRUNC))
		img->cwd = strdup("/"); /* no component: the root */
	d += e->cwd_len;
	if (e->root_len && d[e->root_len - 1] == '\0')
		img->root = path_from_components(d, e->root_len);
	if (path_views(img->root, e->in_root & DS_IN_ROOT_PATH, &img->exe, &img->host_exe) ||
	    path_views(img->root, e->in_root & DS_IN_ROOT_CWD, &img->cwd, &img->host_cwd))
		goto fail;
	d += e->root_len;
	img->pid_ns = e->pid_ns;
	img->mnt_ns = e->mnt_ns;
	img->net_ns = e->net_ns;
	img->root_mnt = e->root_mnt;
	if (!img->filename || !img->exe)
		goto fail;
	img->name = basename_dup(img->exe);
	if (!img->name)
		goto fail;
	if ((e->hdr.flags & DS_F_ENV_PRESENT) && image_set_env(img, d, e->env_len, env_vars))
		goto fail;
	return img;
fail:
	image_put(img);
	return NULL;
}
