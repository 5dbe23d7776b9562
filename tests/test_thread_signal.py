"""ThreadSignal: a device thread wakes a coroutine on the loop; the flag resets on each wait."""

from __future__ import annotations

import asyncio
import threading

from echo_desktop.media.thread_signal import ThreadSignal


async def test_a_raised_flag_is_taken_once() -> None:
    signal = ThreadSignal()
    signal.set()
    signal.set()  # raising twice is still one raise
    assert await signal.wait(5)
    assert not await signal.wait(0.01)  # lowered by the first wait


async def test_another_thread_wakes_the_waiting_coroutine() -> None:
    signal = ThreadSignal()
    started = threading.Event()

    def producer() -> None:
        started.wait(5)
        signal.set()

    thread = threading.Thread(target=producer)
    thread.start()
    waiting = asyncio.ensure_future(signal.wait(30))
    await asyncio.sleep(0)  # the coroutine is now parked on its future
    started.set()
    assert await waiting  # woken by the thread, long before the 30 s timeout
    thread.join(5)
    assert not await signal.wait(0.01)


async def test_many_wakes_from_a_fast_producer_lose_nothing() -> None:
    """A producer that raises the flag after each item: the consumer sees every item."""
    signal = ThreadSignal()
    items: list[int] = []
    lock = threading.Lock()

    def producer() -> None:
        for n in range(500):
            with lock:
                items.append(n)
            signal.set()

    thread = threading.Thread(target=producer)
    thread.start()
    seen: list[int] = []
    while len(seen) < 500:
        assert await signal.wait(5), "the producer's last raise was lost"
        with lock:
            seen.extend(items)
            items.clear()
    thread.join(5)
    assert seen == list(range(500))


def test_setting_after_the_loop_closed_is_harmless() -> None:
    """The engine loop may close while the camera thread still delivers a last frame."""
    signal = ThreadSignal()
    loop = asyncio.new_event_loop()
    task = loop.create_task(signal.wait(30))
    loop.run_until_complete(asyncio.sleep(0))  # parked, with its waiter registered
    loop.close()  # closed under the waiting task, as at shutdown
    signal.set()  # the wake-up cannot be scheduled: no error reaches the device thread
    assert not task.done()
    task._log_destroy_pending = False  # type: ignore[attr-defined]  # abandoned on purpose
