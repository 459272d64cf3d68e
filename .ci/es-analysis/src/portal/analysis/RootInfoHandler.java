/*
 * `GET /` and `HEAD /` (cluster info / ping), which Elasticsearch 8 serves from its
 * `rest-root` module; the integ-test distribution lacks that module too. Clients call
 * info() and ping() against it.
 */
package portal.analysis;

import java.util.List;

import org.elasticsearch.Build;
import org.elasticsearch.cluster.ClusterName;
import org.elasticsearch.common.bytes.BytesArray;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.node.Node;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.xcontent.XContentBuilder;

final class RootInfoHandler extends BaseRestHandler {
    private final String clusterName;
    private final String nodeName;

    RootInfoHandler(Settings settings) {
        this.clusterName = ClusterName.CLUSTER_NAME_SETTING.get(settings).value();
        this.nodeName = Node.NODE_NAME_SETTING.get(settings);
    }

    @Override
    public String getName() {
        return "portal_root_info_action";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(RestRequest.Method.GET, "/"), new Route(RestRequest.Method.HEAD, "/"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        if (request.method() == RestRequest.Method.HEAD) {
            return channel -> channel.sendResponse(new RestResponse(RestStatus.OK, "application/json", BytesArray.EMPTY));
        }
        return channel -> {
            Build b = Build.current();
            XContentBuilder x = channel.newBuilder();
            x.startObject();
            x.field("name", nodeName);
            x.field("cluster_name", clusterName);
            x.field("cluster_uuid", "_na_");
            x.startObject("version");
            x.field("number", b.version());
            x.field("build_flavor", b.flavor());
            x.field("build_type", b.type().displayName());
            x.field("build_hash", b.hash());
            x.field("build_date", b.date());
            x.field("build_snapshot", b.isSnapshot());
            x.field("lucene_version", org.apache.lucene.util.Version.LATEST.toString());
            x.field("minimum_wire_compatibility_version", b.minWireCompatVersion());
            x.field("minimum_index_compatibility_version", b.minIndexCompatVersion());
            x.endObject();
            x.field("tagline", "You Know, for Search");
            x.endObject();
            channel.sendResponse(new RestResponse(RestStatus.OK, x));
        };
    }
}
