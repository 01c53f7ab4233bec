import NIOCore

extension MQTTClient {
    /// The PUBLISHes the server sends this client, in order, already acknowledged; an `AsyncSequence`
    /// for one consumer (iterate it once).
    ///
    /// Messages are handed over in batches, one per socket read. When the consumer falls behind by
    /// ``MQTTClientConfiguration/messageBufferSize`` messages the client stops reading from the socket,
    /// which holds back the server through TCP (and with it the acknowledgements of this client's own
    /// publications), until half of the buffer is consumed. A client that subscribes must consume.
    ///
    /// The sequence ends after ``MQTTClient/disconnect(reason:properties:)`` and throws the
    /// ``MQTTClientError`` that ended the connection otherwise (``MQTTClientError/serverDisconnected(_:)``,
    /// ``MQTTClientError/connectionClosed``, …).
    public struct Messages: AsyncSequence, Sendable {
        public typealias Element = MQTTPacket.Publish

        typealias Producer = NIOThrowingAsyncSequenceProducer<
            MQTTPacket.Publish,
            any Error,
            NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark,
            Delegate
        >
        typealias Source = Producer.Source

        let producer: Producer

        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(base: producer.makeAsyncIterator())
        }

        public struct AsyncIterator: AsyncIteratorProtocol {
            var base: Producer.AsyncIterator

            public mutating func next() async throws -> MQTTPacket.Publish? {
                try await base.next()
            }
        }

        /// A new sequence fed by `handler`, which gets its source.
        static func make(for handler: MQTTClientHandler, eventLoop: any EventLoop, bufferSize: Int) -> Messages {
            let high = Swift.max(2, bufferSize)
            let new = Producer.makeSequence(
                backPressureStrategy: .init(lowWatermark: high / 2, highWatermark: high),
                finishOnDeinit: false,
                delegate: Delegate(handler: NIOLoopBound(handler, eventLoop: eventLoop))
            )
            handler.source = new.source
            return Messages(producer: new.sequence)
        }

        /// Tells the handler, on its event loop, when the consumer wants more or is gone.
        struct Delegate: NIOAsyncSequenceProducerDelegate {
            let handler: NIOLoopBound<MQTTClientHandler>

            func produceMore() {
                onEventLoop { $0.resumeReading() }
            }

            func didTerminate() {
                onEventLoop { $0.consumerTerminated() }
            }

            private func onEventLoop(_ body: @escaping @Sendable (MQTTClientHandler) -> Void) {
                let handler = self.handler
                if handler.eventLoop.inEventLoop {
                    body(handler.value)
                } else {
                    handler.eventLoop.execute { body(handler.value) }
                }
            }
        }
    }
}
