/*
 * ops_int.h — what the files of the REST API's handlers share: query and
 * path parameters, paging, the impact report of an action, and the
 * handlers that live outside ops.c (ops_shares.c, ops_users.c,
 * ops_scav.c, ops_events.c, metrics.c).  Internal to rpc/.
 */
#ifndef RPC_OPS_INT_H
#define RPC_OPS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "admin.h"
#include "ops.h"

#define OPS_EMBED_MAX	100	/* trees, opens inside GET sessions/{id} */
#define OPS_IMPACT_MAX	1000	/* ids listed per kind by a DELETE */
#define OPS_CURSOR_LEN	96

/* One page of a collection being filled by an admin_*_list() callback. */
struct ops_page {
	struct json_object	*items;
	size_t			 limit;
	size_t			 n;
	bool			 more;
	int			 err;
	char			 last[OPS_CURSOR_LEN];	/* of the last item */
};

/*
 * What a DELETE closes (or, with dry_run, would close): the ids of every
 * kind, at most OPS_IMPACT_MAX of each listed, all of them counted.
 */
struct ops_impact {
	struct json_object	*ids[ADMIN_NKINDS];	/* by admin_kind */
	uint64_t		 count[ADMIN_NKINDS];
	bool			 truncated;
	int			 err;
};

const char	*ops_query(const struct ops_req *rq, const char *key);
const char	*ops_header(const struct ops_req *rq, const char *name);
const char	*ops_via(const struct ops_req *rq);
int	ops_parse_u64(const char *s, uint64_t *out);
int	ops_path_id(const struct ops_req *rq, struct ops_reply *rp, uint64_t *id);
int	ops_query_id(const struct ops_req *rq, struct ops_reply *rp,
    const char *key, uint64_t *id);
int	ops_query_bool(const struct ops_req *rq, struct ops_reply *rp,
	    const char *key, bool *val, bool *present);
int	ops_dry_run(const struct ops_req *rq, struct ops_reply *rp, bool *dry);
int	ops_limit(const struct ops_req *rq, struct ops_reply *rp, size_t *limit);
int	ops_cursor_id(const struct ops_req *rq, struct ops_reply *rp,
    uint64_t *after);
int	ops_page_init(struct ops_page *pg, size_t limit);
bool	ops_page_full(struct ops_page *pg);
int	ops_page_add(struct ops_page *pg, struct json_object *o, const char *cur);
int	ops_page_add_id(struct ops_page *pg, struct json_object *o, uint64_t id);
struct json_object	*ops_page_json(struct ops_page *pg);
int	ops_page_reply(struct ops_page *pg, struct ops_reply *rp);
int	ops_impact_init(struct ops_impact *im);
void	ops_impact_free(struct ops_impact *im);
int	ops_impact_cb(enum admin_kind k, uint64_t id, void *arg);
int	ops_impact_reply(struct ops_impact *im, bool dry, const char *what,
    struct json_object *record, struct ops_reply *rp);
/* Location of a created resource: prefix, then name percent-encoded. */
void	ops_location(struct ops_reply *, const char *prefix, const char *name);

/* Handlers outside ops.c, in the route table. */
int	ops_events(const struct ops_req *, struct ops_reply *);
int	ops_shares(const struct ops_req *, struct ops_reply *);
int	ops_share_post(const struct ops_req *, struct ops_reply *);
int	ops_share_get(const struct ops_req *, struct ops_reply *);
int	ops_share_patch(const struct ops_req *, struct ops_reply *);
int	ops_share_delete(const struct ops_req *, struct ops_reply *);
int	ops_users(const struct ops_req *, struct ops_reply *);
int	ops_user_post(const struct ops_req *, struct ops_reply *);
int	ops_user_get(const struct ops_req *, struct ops_reply *);
int	ops_user_patch(const struct ops_req *, struct ops_reply *);
int	ops_user_delete(const struct ops_req *, struct ops_reply *);
int	ops_scavenger(const struct ops_req *, struct ops_reply *);
int	ops_scav_expire(const struct ops_req *, struct ops_reply *);
int	ops_scav_extend(const struct ops_req *, struct ops_reply *);
int	ops_metrics(const struct ops_req *, struct ops_reply *);

#endif
