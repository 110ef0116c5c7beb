package io.dkv.server.resp;

import java.util.concurrent.CompletableFuture;

/** Carries out one command for one client. Runs on the client's event loop. */
@FunctionalInterface
interface CommandHandler {

    CompletableFuture<RespReply> execute(ClientSession session, RespCommand command);
}
