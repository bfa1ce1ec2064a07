package dev.quiver.qdrant;

import com.google.protobuf.Message;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.qdrant.client.grpc.Collections.CollectionExistsRequest;
import io.qdrant.client.grpc.Collections.CollectionExistsResponse;
import io.qdrant.client.grpc.Collections.CollectionOperationResponse;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.DeleteCollection;
import io.qdrant.client.grpc.Collections.GetCollectionInfoRequest;
import io.qdrant.client.grpc.Collections.GetCollectionInfoResponse;
import io.qdrant.client.grpc.Collections.ListCollectionsRequest;
import io.qdrant.client.grpc.Collections.ListCollectionsResponse;
import io.qdrant.client.grpc.Collections.UpdateCollection;
import io.qdrant.client.grpc.CollectionsGrpc;
import io.qdrant.client.grpc.Points.CountPoints;
import io.qdrant.client.grpc.Points.CountResponse;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.GetPoints;
import io.qdrant.client.grpc.Points.GetResponse;
import io.qdrant.client.grpc.Points.PointsOperationResponse;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.QueryResponse;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;
import io.qdrant.client.grpc.Points.SetPayloadPoints;
import io.qdrant.client.grpc.Points.UpdateResult;
import io.qdrant.client.grpc.Points.UpdateStatus;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.qdrant.client.grpc.PointsGrpc;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * An in-process gRPC server speaking Qdrant's Points and Collections services (stubs from the
 * io.qdrant:client jar). It records every request with its headers and deadline, and answers each
 * rpc with a scripted reply (a response message or a gRPC status) or, when nothing is scripted, with
 * the default success reply Qdrant documents for it.
 */
final class FakeQdrant {

  /** One request as received. */
  record Call(String method, Message request, Metadata headers, Deadline deadline) {}

  private final Server server;
  private final ManagedChannel channel;
  final List<Call> calls = new CopyOnWriteArrayList<>();
  private volatile FakePoints points;
  private final Map<String, Deque<Function<Message, Object>>> scripts = new HashMap<>();
  private static final Context.Key<Metadata> HEADERS = Context.key("headers");

  FakeQdrant() throws Exception {
    String name = InProcessServerBuilder.generateName();
    ServerInterceptor capture = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Context ctx = Context.current().withValue(HEADERS, headers);
        return io.grpc.Contexts.interceptCall(ctx, call, headers, next);
      }
    };
    server = InProcessServerBuilder.forName(name)
        .addService(ServerInterceptors.intercept(new Points(), capture))
        .addService(ServerInterceptors.intercept(new Collections(), capture))
        .build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  ManagedChannel channel() {
    return channel;
  }

  /**
   * Keeps the points written from now on (one collection), so that what is written can be read,
   * listed, counted and deleted by filter; see {@link FakePoints}. Scripted replies still win.
   */
  FakeQdrant stateful() {
    points = new FakePoints();
    return this;
  }

  FakePoints points() {
    return points;
  }

  /** Scripts the next reply of {@code method}: a Message, a {@link Status}, or a function of the request. */
  synchronized FakeQdrant reply(String method, Object reply) {
    scripts.computeIfAbsent(method, k -> new ArrayDeque<>()).add(reply instanceof Function<?, ?> f
        ? castFn(f) : req -> reply);
    return this;
  }

  /** Drops every scripted reply not used yet. */
  synchronized void clearScripts() {
    scripts.clear();
  }

  @SuppressWarnings("unchecked")
  private static Function<Message, Object> castFn(Function<?, ?> f) {
    return (Function<Message, Object>) f;
  }

  List<Call> calls(String method) {
    return calls.stream().filter(c -> c.method.equals(method)).toList();
  }

  Message last(String method) {
    List<Call> l = calls(method);
    if (l.isEmpty()) {
      throw new AssertionError("no " + method + " call; calls were " + calls.stream().map(Call::method).toList());
    }
    return l.get(l.size() - 1).request;
  }

  @SuppressWarnings("unchecked")
  private <R> void handle(String method, Message req, StreamObserver<R> out, Object fallback) {
    handle(method, req, out, () -> fallback);
  }

  @SuppressWarnings("unchecked")
  private <R> void handle(String method, Message req, StreamObserver<R> out, java.util.function.Supplier<Object> fallback) {
    calls.add(new Call(method, req, HEADERS.get(), Context.current().getDeadline()));
    Function<Message, Object> script;
    synchronized (this) {
      Deque<Function<Message, Object>> q = scripts.get(method);
      script = q == null ? null : q.poll();
    }
    Object reply = script == null ? fallback.get() : script.apply(req);
    if (reply instanceof Status s) {
      out.onError(s.asRuntimeException());
    } else if (reply instanceof StatusRuntimeException e) {
      out.onError(e);
    } else {
      out.onNext((R) reply);
      out.onCompleted();
    }
  }

  static PointsOperationResponse completed() {
    return PointsOperationResponse.newBuilder()
        .setResult(UpdateResult.newBuilder().setOperationId(1).setStatus(UpdateStatus.Completed)).setTime(0.001).build();
  }

  static CollectionOperationResponse ok(boolean result) {
    return CollectionOperationResponse.newBuilder().setResult(result).setTime(0.001).build();
  }

  final class Points extends PointsGrpc.PointsImplBase {
    @Override
    public void upsert(UpsertPoints r, StreamObserver<PointsOperationResponse> o) {
      handle("upsert", r, o, () -> points == null ? completed() : points.upsert(r));
    }

    @Override
    public void delete(DeletePoints r, StreamObserver<PointsOperationResponse> o) {
      handle("delete", r, o, () -> points == null ? completed() : points.delete(r));
    }

    @Override
    public void get(GetPoints r, StreamObserver<GetResponse> o) {
      handle("get", r, o, () -> points == null ? GetResponse.getDefaultInstance() : points.get(r));
    }

    @Override
    public void overwritePayload(SetPayloadPoints r, StreamObserver<PointsOperationResponse> o) {
      handle("overwritePayload", r, o, () -> points == null ? completed() : points.overwrite(r));
    }

    @Override
    public void count(CountPoints r, StreamObserver<CountResponse> o) {
      handle("count", r, o, () -> points == null ? CountResponse.getDefaultInstance() : points.count(r));
    }

    @Override
    public void scroll(ScrollPoints r, StreamObserver<ScrollResponse> o) {
      handle("scroll", r, o, () -> points == null ? ScrollResponse.getDefaultInstance() : points.scroll(r));
    }

    @Override
    public void query(QueryPoints r, StreamObserver<QueryResponse> o) {
      handle("query", r, o, () -> points == null ? QueryResponse.getDefaultInstance() : points.query(r));
    }
  }

  final class Collections extends CollectionsGrpc.CollectionsImplBase {
    @Override
    public void create(CreateCollection r, StreamObserver<CollectionOperationResponse> o) {
      handle("create", r, o, ok(true));
    }

    @Override
    public void get(GetCollectionInfoRequest r, StreamObserver<GetCollectionInfoResponse> o) {
      handle("collectionGet", r, o, Status.NOT_FOUND.withDescription(
          "Not found: Collection `" + r.getCollectionName() + "` doesn't exist!"));
    }

    @Override
    public void list(ListCollectionsRequest r, StreamObserver<ListCollectionsResponse> o) {
      handle("list", r, o, ListCollectionsResponse.getDefaultInstance());
    }

    @Override
    public void delete(DeleteCollection r, StreamObserver<CollectionOperationResponse> o) {
      handle("drop", r, o, ok(true));
    }

    @Override
    public void update(UpdateCollection r, StreamObserver<CollectionOperationResponse> o) {
      handle("update", r, o, ok(true));
    }

    @Override
    public void collectionExists(CollectionExistsRequest r, StreamObserver<CollectionExistsResponse> o) {
      handle("exists", r, o, CollectionExistsResponse.getDefaultInstance());
    }
  }

  void close() throws InterruptedException {
    channel.shutdownNow();
    server.shutdownNow().awaitTermination();
  }

  static List<String> methods(List<Call> calls) {
    List<String> out = new ArrayList<>();
    calls.forEach(c -> out.add(c.method()));
    return out;
  }
}
