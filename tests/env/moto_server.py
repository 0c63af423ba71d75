"""moto's server, with the two ElastiCache gaps terrane's tests need filled, and S3's
conditional writes made atomic.

1. moto marks a deleted ElastiCache cluster "deleting" and keeps it forever, where AWS removes
   it after a few minutes. A provider that waits for the deletion to finish (as Terraform's
   and terrane's do) would wait until its timeout. Here DescribeCacheClusters drops clusters in
   "deleting" state, the way moto already treats ElastiCache users: the first describe after
   a delete reports the cluster gone.
2. moto does not implement DeleteCacheSubnetGroup (it answers 500 NotImplemented). Here it
   removes the group, or answers CacheSubnetGroupNotFoundFault as AWS does.
3. moto checks a PutObject's If-None-Match / If-Match and then writes, with nothing between:
   its server answers requests on threads, so two runs creating the same lock object at the
   same moment can both succeed, which S3 never allows (a conditional write is atomic there).
   Here object writes and deletes take one lock, so the check and the write are one step.

Every other call is moto's own.
"""
import sys
import threading

from moto.core.responses import EmptyResult
from moto.elasticache.exceptions import CacheClusterNotFound, CacheSubnetGroupNotFound
from moto.elasticache.models import ElastiCacheBackend
from moto.elasticache.responses import ElastiCacheResponse

_describe = ElastiCacheBackend.describe_cache_clusters


def describe_cache_clusters(self, cache_cluster_id=None):
    for cid, cluster in list(self.cache_clusters.items()):
        if cluster.cache_cluster_status == "deleting":
            del self.cache_clusters[cid]
    if cache_cluster_id and cache_cluster_id not in self.cache_clusters:
        raise CacheClusterNotFound(cache_cluster_id)
    return _describe(self, cache_cluster_id)


ElastiCacheBackend.describe_cache_clusters = describe_cache_clusters


def delete_cache_subnet_group(self):
    name = self._get_param("CacheSubnetGroupName")
    if name not in self.elasticache_backend.cache_subnet_groups:
        raise CacheSubnetGroupNotFound(name)
    del self.elasticache_backend.cache_subnet_groups[name]
    return EmptyResult()


if not hasattr(ElastiCacheResponse, "delete_cache_subnet_group"):
    ElastiCacheResponse.delete_cache_subnet_group = delete_cache_subnet_group

from moto.s3.responses import S3Response

_s3_writes = threading.Lock()


def _atomic(method):
    def locked(self, *args, **kwargs):
        with _s3_writes:
            return method(self, *args, **kwargs)

    return locked


S3Response.put_object = _atomic(S3Response.put_object)
S3Response.delete_object = _atomic(S3Response.delete_object)

if __name__ == "__main__":
    from moto.server import main

    sys.exit(main())
