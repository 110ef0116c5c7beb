package io.dkv.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dkv.cluster.ClusterNode;
import io.dkv.server.acl.AclUser;
import io.dkv.server.config.AccessSettings;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Routes one node's HTTP requests: the dashboard, its JSON, health and Prometheus metrics. */
final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] DASHBOARD = resource("dashboard.html");

    private final ClusterNode node;
    private final PrometheusMeterRegistry registry;
    private final AccessSettings access;

    HttpHandler(ClusterNode node, PrometheusMeterRegistry registry, AccessSettings access) {
        this.node = node;
        this.registry = registry;
        this.access = access;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
            send(ctx, keepAlive, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
                    "only GET is supported\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (access.httpAuth() && !authorized(request)) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.UNAUTHORIZED,
                    Unpooled.wrappedBuffer("authentication required\n".getBytes(StandardCharsets.UTF_8)));
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Basic realm=\"dkv\", charset=\"UTF-8\"");
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        switch (path) {
            case "/", "/index.html" -> send(ctx, keepAlive, HttpResponseStatus.OK, "text/html; charset=utf-8", DASHBOARD);
            case "/metrics" -> send(ctx, keepAlive, HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8",
                    registry.scrape("text/plain; version=0.0.4; charset=utf-8").getBytes(StandardCharsets.UTF_8));
            case "/api/cluster" -> node.peerStatuses().thenAccept(statuses -> ctx.executor().execute(() ->
                    send(ctx, keepAlive, HttpResponseStatus.OK, "application/json",
                            json(ClusterView.of(node, statuses, node.status().hintsByTarget(), System.currentTimeMillis())))));
            case "/health" -> node.peerStatuses().thenAccept(statuses -> ctx.executor().execute(() -> {
                HealthReport health = HealthReport.of(node, statuses);
                send(ctx, keepAlive, health.serving() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                        "application/json", json(health));
            }));
            default -> send(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8",
                    ("no such page: " + path + " (try /, /health, /metrics or /api/cluster)\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * HTTP Basic credentials (RFC 7617) of a user: {@code user:password}, or {@code :password}
     * and {@code default:password} for the default user.
     */
    private boolean authorized(FullHttpRequest request) {
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return false;
        }
        String user = colon == 0 ? AclUser.DEFAULT : decoded.substring(0, colon);
        return access.users().authenticate(user, decoded.substring(colon + 1)).isPresent();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private static void send(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, String type, byte[] body) {
        ByteBuf content = Unpooled.wrappedBuffer(body);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON for " + value.getClass().getSimpleName(), e);
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = HttpHandler.class.getResourceAsStream(name)) {
            if (in == null) {
                return ("<!doctype html><title>dkv</title><p>dashboard missing from the build: " + name).getBytes(StandardCharsets.UTF_8);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
