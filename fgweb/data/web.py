"""What real pages ask of the model beyond the archetype flows: page kinds and command families.

`fgweb.data.archetypes` and `fgweb.data.templates` add its `ARCHETYPES` and `TEMPLATES` to theirs, so
the same split rules hold (a quarter of each family's templates only in eval). `web_tasks` adds the
families that any page supports:

- limits: a command that fills or ticks and says not to submit ("…, but don't send it yet");
- out of scope: requests the page cannot serve (weather, arithmetic, thanks, another app's job): no
  call; each family names the page kinds that could serve it (`OFFTOPIC_CLASHES`), where it is not drawn;
- typed text with punctuation, quotes and file names, wrapped in instruction words;
- long commands that fill two to four fields (and sometimes press the button);
- indirect commands ("I'm flying out of Porto", "stop emailing me about mentions").

The page kinds add values that must be mapped to the page's wording ("a table for three" -> "3 guests",
"a large" -> "L", "dark green" -> "Forest Green") with placeholder options, and rows, list items and
cards whose controls share a name (picked by what the row holds or by position: "the third", "the last").
The generic `mapped.*` and `rows.*` templates here also serve the site pages of `fgweb/data/sites/`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from fgweb.data.page import (
    CITIES,
    FIRST,
    LAST,
    Ctx,
    M,
    S,
    Slot,
    Step,
    Target,
    Task,
    V,
    _money,
    _steps_click,
    _type,
    ascii_word,
    is_checked,
    labelled_field,
)
from fgweb.snapshot import Entry, Node, el, is_placeholder_option, option_label

# ------------------------------------------------------------------------------------------ templates

TEMPLATES: dict[str, tuple[str, ...]] = {
    # Limits: only what is asked. {b} names the button the command says not to press.
    "limit.fill": ("type {v} into {f} but don't submit", "just put {v} in {f}, i'll send it myself",
                   "fill {f} with {v}, don't press anything yet", "{f}: {v} (don't click {b})",
                   "enter {v} as {f} and leave the rest to me", "only fill in {f} with {v}",
                   "write {v} in {f}, no need to hit {b}", "put {v} in {f}. don't {b} yet",
                   "set {f} to {v} but hold off on {b}", "i'll press {b} myself, just type {v} in {f}",
                   "fill in {v} for {f} and stop there", "{v} in the {f} box please, nothing else",
                   "type {v} in {f} but leave {b} alone", "{f}: {v}. that's it, don't submit",
                   "can you just put {v} in {f}? don't hit {b}",
                   "fill in {f} with {v} - i want to check it before it goes",
                   "just the {f}: {v}, no submitting", "write {v} into {f} and wait",
                   "enter {v} in {f} but don't press {b} yet", "only put {v} into {f}, don't send anything",
                   "{v} for {f}, i'll click {b} when i'm ready", "put {v} in {f} and leave it there",
                   "set {f} to {v}, don't save", "i just need {f} filled with {v}",
                   "pre-fill {f} with {v} for me", "{f} {v} - don't submit yet pls"),
    "limit.fill2": ("fill {f1} with {v1} and {f2} with {v2} but don't submit the form",
                    "just type {v1} in {f1} and {v2} in {f2}, i'll do the rest",
                    "{f1} {v1}, {f2} {v2} - don't click {b}",
                    "enter {v1} as {f1} and {v2} as {f2}, then stop",
                    "put {v1} into {f1} and {v2} into {f2} without pressing {b}",
                    "fill in {f1} and {f2} ({v1}, {v2}) but leave {b} to me",
                    "{f1}: {v1}, {f2}: {v2} - i'll hit {b} myself",
                    "fill in {v1} and {v2} for {f1} and {f2}, nothing else",
                    "type {v1} into {f1} and {v2} into {f2} but don't send",
                    "put {v1} in {f1} and {v2} in {f2}, hold off on submitting",
                    "{f1} {v1} and {f2} {v2}, leave {b} for me",
                    "can you fill {f1} with {v1} and {f2} with {v2}? i'll check it before sending",
                    "just {f1} and {f2}: {v1}, {v2}. don't press anything"),
    "limit.check": ("tick {c} but don't save anything", "just turn on {c}, don't press {b}",
                    "switch {c} on and stop there", "only check {c}, i'll click {b} myself",
                    "enable {c} - nothing else", "turn {c} on but hold off on {b}",
                    "turn on {c} - don't hit {b}", "{c} on, that's all",
                    "check {c} but i'll save it myself", "tick the {c} box, leave {b} to me",
                    "enable {c} only, no saving yet"),
    "limit.uncheck": ("untick {c} but don't save yet", "just turn off {c}, leave {b} alone",
                      "switch {c} off and nothing else", "disable {c}, i'll press {b} later",
                      "untick {c}, don't click {b}", "{c} off, nothing else",
                      "turn {c} off but don't save anything yet", "switch off {c} - i'll hit {b} myself"),
    "limit.select": ("set {c} to {o} but don't submit", "choose {o} for {c}, don't click {b} yet",
                     "just pick {o} in {c}", "{c}: {o}, and leave {b} to me",
                     "{c} should be {o}, don't submit", "pick {o} from {c} and stop there",
                     "change {c} to {o} but leave {b} alone", "select {o} in {c}, don't press {b}",
                     "just set {c} to {o} pls, i'll do the rest"),
    # Out of scope: a sentence, no call.
    "offtopic.weather": ("what's the weather in {x} today", "will it rain in {x} tomorrow",
                         "is it going to be sunny this weekend", "how cold is it in {x} right now",
                         "do i need an umbrella today", "what's the forecast for {x}", "is it cold outside",
                         "what's the temperature in {x}", "should i bring a jacket to {x}",
                         "forecast for the weekend pls", "is it snowing in {x}",
                         "how hot will it get tomorrow"),
    "offtopic.math": ("what's {a} times {b}", "how much is {a} plus {b}", "what is {a} minus {b}",
                      "divide {a} by {b}", "what's {a} percent of {b}", "can you add {a} and {b}",
                      "{a} + {b}?", "what's {a} divided by {b}", "calculate {a} times {b}",
                      "what's {b}% of {a}", "if i have {a} and spend {b}, what's left",
                      "{a} minus {b} is what", "square root of {a}?"),
    "offtopic.chat": ("thanks!", "thank you so much", "hi there", "good morning", "how are you today",
                      "who made you", "tell me a joke", "you're awesome", "ok cool, thanks",
                      "are you a robot", "what can you do", "lol", "hello", "hey", "thx a lot",
                      "cheers, that's all", "that's all for now", "nice job", "good night",
                      "are you there?", "what's your name", "ok that's it, bye", "you're a lifesaver",
                      "how's it going"),
    # Typed text as the user wrote it: punctuation, quotes, file names, instruction words around it.
    "typed.say": ("write \"{v}\" in {f}", "type the following into {f}: {v}", "{f} should say: {v}",
                  "put '{v}' into {f}", "in {f} write {v}", "enter this in {f} - {v}",
                  "fill {f} with the text \"{v}\"", "for {f} use: {v}", "can you type {v} into {f}",
                  "the {f} should read: {v}", "paste this into {f}: {v}", "type exactly this in {f} - {v}",
                  "can you write '{v}' in the {f} box", "in the {f} field put: {v}",
                  "add this as the {f}: \"{v}\"", "{v} <- put that in {f}", "pls type {v} in {f}",
                  "my {f}: {v}"),
    "typed.say_send": ("write \"{v}\" in {f} and click {b}", "type {v} into {f}, then hit {b}",
                       "{f}: \"{v}\" and press {b}", "put '{v}' in {f} and {b}",
                       "type \"{v}\" in {f} then press {b}", "write {v} into {f} and hit {b} after",
                       "{f} should say '{v}', then {b}", "put this in {f}: {v} - and click {b}",
                       "in {f}, write: {v}. then {b} please", "enter '{v}' as {f} and {b} it"),
    # Three or four fields in one command (and the button where it is asked for).
    "fill3": ("{f1} {v1}, {f2} {v2}, {f3} {v3}", "set {f1} to {v1}, {f2} to {v2} and {f3} to {v3}",
              "fill in {f1}: {v1}; {f2}: {v2}; {f3}: {v3}", "{v1} for {f1}, {v2} for {f2}, {v3} for {f3}",
              "please enter {v1} as {f1}, {v2} as {f2} and {v3} as {f3}",
              "type {v1} in {f1}, {v2} in {f2}, and {v3} in {f3}",
              "{f1} is {v1}, {f2} is {v2}, {f3} is {v3}", "{f1}: {v1}, {f2}: {v2}, {f3}: {v3}",
              "put {v1} in {f1}, {v2} in {f2} and {v3} in {f3}",
              "my {f1} is {v1}, my {f2} is {v2} and my {f3} is {v3}", "{f1} {v1} / {f2} {v2} / {f3} {v3}",
              "fill {f1}, {f2} and {f3} with {v1}, {v2} and {v3}",
              "can you enter {v1} for {f1}, {v2} for {f2}, and {v3} for {f3}",
              "{f1} = {v1}; {f2} = {v2}; {f3} = {v3}"),
    "fill4": ("{f1} {v1}, {f2} {v2}, {f3} {v3}, {f4} {v4}",
              "set {f1} to {v1}, {f2} to {v2}, {f3} to {v3} and {f4} to {v4}",
              "fill {f1} with {v1}, {f2} with {v2}, {f3} with {v3} and {f4} with {v4}",
              "{v1} / {v2} / {v3} / {v4} for {f1}, {f2}, {f3} and {f4}",
              "my {f1} is {v1}, {f2} {v2}, {f3} {v3}, {f4} {v4}",
              "{f1}: {v1}, {f2}: {v2}, {f3}: {v3}, {f4}: {v4}",
              "put {v1} in {f1}, {v2} in {f2}, {v3} in {f3} and {v4} in {f4}",
              "fill in the form: {f1} {v1}, {f2} {v2}, {f3} {v3}, {f4} {v4}",
              "enter {v1} as {f1}, then {v2} as {f2}, {v3} as {f3}, and {v4} as {f4}",
              "{f1} is {v1}, {f2} is {v2}, {f3} is {v3}, {f4} is {v4}",
              "ok: {f1} {v1}; {f2} {v2}; {f3} {v3}; {f4} {v4}"),
    "fill3_click": ("{f1} {v1}, {f2} {v2}, {f3} {v3}, then {b}",
                    "fill {f1} with {v1}, {f2} with {v2} and {f3} with {v3} and press {b}",
                    "enter {v1} as {f1}, {v2} as {f2}, {v3} as {f3} and click {b}",
                    "set {f1} to {v1}, {f2} to {v2}, {f3} to {v3}, then hit {b}",
                    "{f1}: {v1}, {f2}: {v2}, {f3}: {v3} and hit {b}",
                    "put {v1}, {v2} and {v3} into {f1}, {f2} and {f3}, then {b}",
                    "{f1} {v1} {f2} {v2} {f3} {v3} then press {b}",
                    "fill in {f1} with {v1}, {f2} with {v2}, {f3} with {v3}. then click {b}",
                    "my {f1} is {v1}, {f2} {v2}, {f3} {v3} - submit with {b}",
                    "type {v1} in {f1}, {v2} in {f2} and {v3} in {f3} and then hit {b}"),
    # Indirect: the intent is implied.
    "indirect.from": ("i'm flying out of {v}", "leaving from {v}", "i'm departing from {v}",
                      "starting in {v}", "my trip starts in {v}", "i'll be leaving {v}", "we fly from {v}",
                      "departing {v}", "i'm based in {v} so that's where i start", "origin is {v}",
                      "i'll be starting from {v}"),
    "indirect.to": ("i want to go to {v}", "heading to {v}", "my destination is {v}",
                    "i'm travelling to {v}", "going to {v}", "i need to get to {v}", "we're off to {v}",
                    "i need a ticket to {v}", "{v} is where i'm going", "trip to {v}", "flying into {v}"),
    "indirect.stay": ("don't log me out next time", "keep me logged in",
                      "i don't want to sign in every time", "remember me on this computer",
                      "stay signed in please", "keep me signed in on this laptop",
                      "i'm on my own computer, remember me", "don't make me log in again",
                      "this is my personal device, stay logged in"),
    "indirect.stop": ("stop emailing me about {topic}", "i don't want {topic} emails anymore",
                      "no more {topic} notifications please", "enough with the {topic} messages",
                      "i'm tired of getting {topic} alerts", "unsubscribe me from {topic}",
                      "i get too many {topic} emails", "please turn off the {topic} stuff", "mute {topic}",
                      "no {topic} please", "i've had enough of the {topic} notifications"),
    "indirect.start": ("i'd like to hear about {topic}", "let me know about {topic}",
                       "i want {topic} notifications", "notify me about {topic}", "send me {topic} updates",
                       "i'd like to get {topic} too", "sign me up for {topic}",
                       "can i get {topic} notifications", "keep me posted on {topic}"),
    # Mapped values: the page's wording is not the user's.
    "mapped.party": ("a table for {o}", "we're {o}", "{o} of us", "party of {o}", "for {o} please",
                     "book it for {o}", "there will be {o} of us", "make it {o}", "table for {o} pls",
                     "it'll be {o} of us", "we need space for {o}", "{o} people"),
    "mapped.time": ("at {o}", "make it {o}", "{o} works for us", "around {o} please", "the {o} slot",
                    "can we do {o}", "{o} please", "book {o}", "let's say {o}", "{o} would be perfect",
                    "could we come at {o}", "the {o} one"),
    "mapped.seat": ("we'd like to sit {o}", "a table {o} please", "seat us {o}", "{o} if possible",
                    "put us {o}", "could we sit {o}", "we'd prefer {o}"),
    "mapped.size": ("i'll take a {o}", "size {o} please", "in {o}", "get me the {o}", "{o} would be great",
                    "i wear a {o}", "the {o} one", "do you have it in {o}", "{o} fits me", "size: {o}",
                    "i need a {o}", "i'm a {o}"),
    "mapped.color": ("the {o} one", "i want it in {o}", "make it {o}", "{o} please", "pick {o}",
                     "colour: {o}", "the {o} one please", "i'd like the {o}", "in {o}",
                     "can i get it in {o}"),
    "mapped.size_color_add": ("the {o2} one in {o1}, add it to my bag",
                              "{o1} in {o2} and add it to the cart",
                              "i'll take a {o1} in {o2}, then add to cart",
                              "{o2}, size {o1}, add to cart please", "{o2} in size {o1}, then add to bag",
                              "add a {o1} {o2} one to the cart", "size {o1}, colour {o2}, add it"),
    "mapped.passengers": ("passengers: {o}", "we are {o} travelling", "for {o} people",
                          "{o} of us are flying", "tickets for {o}", "there are {o} of us",
                          "{o} travelling", "book for {o}", "we're {o}"),
    "mapped.party_book": ("a table for {o} at {t}, then book it", "{o} of us at {t}, book it",
                          "reserve for {o} at {t} and confirm", "party of {o}, {t}, and hit {b}",
                          "{o} people at {t} please, book it", "book {t} for {o}",
                          "can we get {o} at {t}, confirm it"),
    # Rows, items and cards whose controls share a name.
    "rows.by_key": ("{act} {key}", "{act} the {noun} {key}", "click {act} next to {key}", "{key}: {act}",
                    "can you {act} {key}", "{act} the one called {key}", "hit {act} on the {key} row",
                    "i want to {act} {key}", "{act} {key} please", "can u {act} {key}",
                    "{act} the {key} one", "go ahead and {act} {key}", "the {key} {noun} - {act} it",
                    "{act} {key} for me", "i need to {act} {key}", "please {act} the {noun} {key}"),
    "rows.by_pos": ("{act} the {pos} {noun}", "{act} the {pos} one", "click {act} on the {pos} row",
                    "{act} the {pos} {noun} in the list", "the {pos} {noun}: {act}",
                    "press {act} for the {pos} item", "{act} the {pos} row", "the {pos} {noun}, {act} it",
                    "hit {act} on the {pos} {noun}", "can you {act} the {pos} {noun}",
                    "{act} {noun} number {pos}", "i want to {act} the {pos} one", "{pos} {noun}: {act}",
                    "{act} the {pos} entry"),
    "limit.fill3": ("fill {f1} with {v1}, {f2} with {v2} and {f3} with {v3} but don't submit",
                    "{f1} {v1}, {f2} {v2}, {f3} {v3} - don't press {b}",
                    "just type {v1}, {v2} and {v3} into {f1}, {f2} and {f3}, i'll send it",
                    "enter {v1} as {f1}, {v2} as {f2} and {v3} as {f3}, then leave it",
                    "put {v1} in {f1}, {v2} in {f2}, {v3} in {f3}. no submitting yet",
                    "can you fill in {f1} ({v1}), {f2} ({v2}) and {f3} ({v3})? leave {b} to me"),
    "limit.fill_check": ("type {v} in {f} and tick {c}, but don't hit {b}", "{f}: {v}, {c} on - that's all",
                         "fill {f} with {v} and check {c}, i'll submit myself",
                         "put {v} in {f}, turn on {c}, don't send",
                         "enter {v} as {f} and enable {c} but hold off on {b}"),
    "offtopic.errand": ("order me a pizza", "book a taxi to the airport", "get me an uber home",
                        "order groceries for tomorrow", "buy concert tickets for saturday",
                        "find a plumber near me", "order flowers for {n}", "get me a coffee"),
    "offtopic.device": ("set an alarm for {t}", "turn off the living room lights", "turn the volume up",
                        "take a screenshot", "open a new tab", "close all my tabs", "restart my laptop",
                        "turn on do not disturb", "what's my battery at", "connect to the wifi"),
    "offtopic.media": ("play some jazz", "put on my workout playlist",
                       "play the latest episode of my podcast", "skip this song", "turn up the music",
                       "play something relaxing"),
    "offtopic.message": ("call my mom", "text {n} that i'm late",
                         "send {n} a whatsapp saying happy birthday", "email my boss that i'm sick",
                         "facetime {n}", "tell {n} i'll be there at {t}"),
    "offtopic.travel": ("find me a cheap flight to {x}", "how long is the flight to {x}",
                        "book me a hotel in {x}", "do i need a visa for {x}",
                        "what's the time difference with {x}"),
    "offtopic.money": ("what's the price of bitcoin", "send {n} twenty dollars",
                       "how's the stock market doing", "convert 50 euros to dollars",
                       "what's my credit score"),
    "offtopic.knowledge": ("what's the capital of peru", "who wrote pride and prejudice",
                           "how tall is mount everest", "when did world war two end",
                           "how many ounces in a pound", "what does ubiquitous mean",
                           "translate good night into french", "how do you say thank you in japanese",
                           "what time is it in {x}", "how far away is the moon",
                           "who won the game last night"),
    "offtopic.reminder": ("remind me to {r} tomorrow", "set a reminder for {t} to {r}",
                          "don't let me forget to {r}", "remind me in an hour to {r}"),
    "offtopic.opinion": ("which one should i buy", "is this a good deal", "do you think this would suit me",
                         "what would you pick", "is this site legit", "should i trust these reviews"),
    "offtopic.other_app": ("log me into netflix", "open spotify", "check my instagram",
                           "post this on facebook", "go to youtube and play cat videos", "open my email app"),
    "fill2_click": ("{f1} {v1}, {f2} {v2}, then {b}", "type {v1} in {f1} and {v2} in {f2}, then press {b}",
                    "fill {f1} with {v1} and {f2} with {v2} and hit {b}", "{f1}: {v1}, {f2}: {v2} - {b}",
                    "enter {v1} as {f1}, {v2} as {f2}, and click {b}",
                    "put {v1} into {f1}, {v2} into {f2} then {b} please"),
    "fill4_click": ("{f1} {v1}, {f2} {v2}, {f3} {v3}, {f4} {v4}, then {b}",
                    "fill {f1} with {v1}, {f2} with {v2}, {f3} with {v3} and {f4} with {v4}, then press {b}",
                    "enter {v1} as {f1}, {v2} as {f2}, {v3} as {f3}, {v4} as {f4} and click {b}",
                    "{f1}: {v1}; {f2}: {v2}; {f3}: {v3}; {f4}: {v4}. then hit {b}",
                    "set {f1} to {v1}, {f2} to {v2}, {f3} to {v3} and {f4} to {v4}, and press {b}",
                    "put {v1} in {f1}, {v2} in {f2}, {v3} in {f3}, {v4} in {f4} then {b} pls"),
    "mapped.option": ("{c}: {o}", "set {c} to {o}", "make the {c} {o}", "{o} for the {c}",
                      "i want {o} as {c}", "change {c} to {o}", "for {c}, {o}", "{c} should be {o}",
                      "can you set {c} to {o}", "pick {o} for {c}", "{c} - {o} please",
                      "i'd like {c} to be {o}"),
    "mapped.pick": ("{o}", "{o} please", "i'd like {o}", "go with {o}", "make it {o}", "set it to {o}",
                    "i want {o}", "can you do {o}", "let's do {o}", "{o} is fine", "{o} pls",
                    "i'll go with {o}"),
    "mapped.link": ("go to {o}", "open {o}", "show me {o}", "take me to {o}", "i want to see {o}",
                    "where's {o}", "can you open {o}", "bring up {o}"),
    "mapped.answer": ("{o}", "answer {o}", "i think it's {o}", "go with {o}", "pick {o}",
                      "my answer is {o}", "{o} is right", "select {o}", "the answer is {o}"),
    "mapped.answer_submit": ("{o}, then submit", "answer {o} and submit it", "pick {o} and hit {b}",
                             "it's {o}, submit", "go with {o} then press {b}"),
    "mapped.age": ("i'm {o}", "the driver is {o}", "driver's age: {o}", "{o} years old",
                   "i'm {o} years old", "age {o}"),
    "mapped.dob": ("my date of birth is {dob}", "born {dob}", "dob {dob}", "{dob} is my birthday",
                   "i was born on {dob}", "birth date: {dob}", "date of birth - {dob}"),
    "mapped.tick": ("tick off the {o}", "i've got the {o}", "check {o}", "mark the {o} as done",
                    "{o}: got it", "got {o} already, tick it"),
    "rows.by_attr": ("{act} the {noun} {attr}", "{act} the one {attr}", "the {noun} {attr}, {act} it",
                     "can you {act} the {noun} {attr}", "{act} that {noun} {attr}",
                     "i want to {act} the {noun} {attr}", "please {act} the {noun} {attr}",
                     "the one {attr}: {act}", "go ahead and {act} the {noun} {attr}"),
    "rows.owner": ("{act} {who}'s {noun}", "{who}'s {noun}: {act}", "can you {act} {who}'s {noun}",
                   "{act} the {noun} from {who}", "i want to {act} {who}'s {noun}",
                   "please {act} {who}'s one", "{act} {who}'s", "the {noun} {who} posted, {act} it"),
    "rows.tick": ("tick {key}", "check the box next to {key}", "select {key}", "tick the {noun} {key}",
                  "mark {key}", "put a tick next to {key}"),
    "rows.type_in": ("add {v} to {key}", "new card in {key}: {v}", "put {v} under {key}",
                     "in the {key} column add {v}", "{key}: add a card called {v}",
                     "add a card {v} in {key}", "create {v} in the {key} list"),
    "rows.open_by": ("open the {noun} {attr}", "show me the {noun} {attr}", "click the {noun} {attr}",
                     "go to the {noun} {attr}", "open the one {attr}", "can you open the {noun} {attr}",
                     "pull up the {noun} {attr}"),
}

# Commands out of scope get these answers (the words are not scored; the missing call is).
ANSWERS: dict[str, tuple[str, ...]] = {
    "offtopic.weather": ("I can't check the weather; I can only act on this page.",),
    "offtopic.math": ("I can only act on this page, so I can't do calculations.",),
    "offtopic.chat": ("I'm the assistant of this page: tell me what to fill in, click or read.",),
    "offtopic.errand": ("I can't run errands; I can only act on this page.",),
    "offtopic.device": ("I can't control your device, only this page.",),
    "offtopic.media": ("I can't play that; I can only act on this page.",),
    "offtopic.message": ("I can't contact people from here; I can only act on this page.",),
    "offtopic.travel": ("That is outside this page, so I can't do it here.",),
    "offtopic.money": ("I can't do that from this page.",),
    "offtopic.knowledge": ("I can only act on this page, not answer general questions.",),
    "offtopic.reminder": ("I can't set reminders; I can only act on this page.",),
    "offtopic.opinion": ("I can't judge that for you; I can fill in, click or read things on this page.",),
    "offtopic.other_app": ("That is another app, so I can't do it from this page.",),
}

# Out-of-scope families that a kind of page can serve after all: never drawn on those pages (a music
# player can skip a song, a bank can send money).
OFFTOPIC_CLASHES: dict[str, frozenset[str]] = {
    "offtopic.media": frozenset({"music"}),
    "offtopic.message": frozenset({"chat", "inbox", "social", "comments"}),
    "offtopic.travel": frozenset({"travel", "rental", "booking", "reserve"}),
    "offtopic.money": frozenset({"bank"}),
    "offtopic.knowledge": frozenset({"quiz"}),
    "offtopic.math": frozenset({"quiz"}),
    "offtopic.reminder": frozenset({"calendar", "todo", "clinic"}),
    "offtopic.device": frozenset({"calendar"}),
    "offtopic.other_app": frozenset({"music", "social", "inbox"}),
    "offtopic.errand": frozenset({"reserve"}),
}

LIMIT_BUTTON_WORDS = ("send", "submit", "save", "sign", "log", "create", "register", "continue", "next",
                      "post", "book", "search", "subscribe", "apply", "confirm", "place", "update", "pay",
                      "join", "reserve", "add")

# Values with the punctuation users type: commas, apostrophes, &, quotes, dashes, file names.
PUNCT_VALUES = [
    "Running late, start without me", "Can't make it tonight - sorry!", "Tom & Jerry's birthday",
    "Meet at 5:30, by the north gate", "Don't forget the keys, they're on the desk",
    "Q3_report_final.pdf", "holiday-photos (2).zip", "Yes, I'd love to!", "Fish & chips, no salt",
    "It's broken again... please call me", "See you at Anna's, 8pm", "R&D budget, draft #2",
    "Thanks, that's perfect.", "Left at the door; ring twice", "Back on Monday, 10am-ish",
    "invoice_2026-03.xlsx", "Smith & Sons, Ltd.", "\"Best before\" date missing", "50% off? Really?",
    "Room 4B, 2nd floor", "Call me at 555-0199, not the office", "O'Brien, Kate", "notes.v2.txt",
    "Happy b'day, Sam! :)", "Milk, eggs, bread & butter", "Is the 3:15 train on time?",
]
FREE_TEXT_WORDS = ("message", "comment", "note", "reply", "bio", "about", "description", "subject",
                   "title", "feedback", "question", "details", "instructions", "caption", "file name",
                   "reference", "memo", "on your mind", "review", "cover letter", "problem", "request")
# Punctuated values made from parts, so the typed text is never one of a few memorizable strings.
PUNCT_PATTERNS: tuple[Callable[[random.Random], str], ...] = (
    lambda r: f"Running {r.randint(5, 25)} min late - start without me",
    lambda r: f"{r.choice(FIRST)}'s farewell drinks, {r.randint(5, 8)}:30 at the usual place",
    lambda r: f"{r.choice(['budget', 'minutes', 'roadmap', 'cv', 'slides'])}_{r.randint(2024, 2026)}-"
              f"{r.randint(1, 12):02d}_v{r.randint(2, 9)}.{r.choice(['xlsx', 'docx', 'pdf', 'pptx'])}",
    lambda r: f"Gate {r.choice('ABCDE')}{r.randint(1, 40)}, terminal {r.randint(1, 5)}; don't wait for me",
    lambda r: f"Parcel for flat {r.randint(1, 30)}{r.choice('ABC')} - leave it with no. {r.randint(1, 60)}",
    lambda r: f"Q{r.randint(1, 4)} sales & marketing sync (moved to {r.choice(['Tue', 'Wed', 'Thu'])})",
    lambda r: f"Order #{r.randint(10000, 99999)} arrived damaged, box was open!",
    lambda r: f"\"{r.choice(['Almost', 'Nearly', 'Not quite'])} done\" - {r.choice(FIRST)}, "
              f"{r.randint(1, 11)}pm",
    lambda r: f"{r.choice(FIRST)} & {r.choice(FIRST)}'s wedding, {r.randint(2, 28)}/{r.randint(1, 12)}",
    lambda r: f"Can we do {r.randint(2, 5)}:{r.choice(['00', '15', '45'])} instead? 10% off if so :)",
)


def punct_value(rng: random.Random) -> str:
    """Returns a value with the punctuation users type: a fixed one or one made from parts."""
    return rng.choice(PUNCT_VALUES) if rng.random() < 0.5 else rng.choice(PUNCT_PATTERNS)(rng)

PLACEHOLDER_OPTIONS = ["Choose…", "Select…", "— Select —", "Please choose", "Select an option", "Pick one"]
NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}
ORDINALS = {0: ("first", "1st"), 1: ("second", "2nd"), 2: ("third", "3rd"), 3: ("fourth", "4th"),
            4: ("fifth", "5th")}
SIZE_LETTERS = {"XS": ("extra small", "xs"), "S": ("small", "s"), "M": ("medium", "m"), "L": ("large", "l"),
                "XL": ("extra large", "xl", "x-large")}
SIZE_WORDS = {"Small": ("S", "small"), "Medium": ("M", "medium", "med"), "Large": ("L", "large"),
              "X-Large": ("XL", "extra large")}
COLOR_NAMES = {"Forest Green": ("dark green", "green"), "Navy Blue": ("navy", "dark blue"),
               "Charcoal Grey": ("charcoal", "dark grey", "dark gray"), "Burgundy": ("wine red", "burgundy"),
               "Sky Blue": ("light blue", "pale blue"), "Sand Beige": ("beige", "sand"),
               "Off White": ("cream", "off-white"), "Crimson Red": ("red", "bright red"),
               "Mustard Yellow": ("yellow", "mustard")}
TIMES = {"12:00 PM": ("noon", "12pm", "midday"), "12:30 PM": ("12:30", "half past twelve"),
         "6:30 PM": ("6:30", "half six", "6:30pm"), "7:00 PM": ("7pm", "seven", "7 o'clock"),
         "7:30 PM": ("7:30", "half past seven", "seven thirty"), "8:00 PM": ("8pm", "eight"),
         "8:30 PM": ("8:30pm", "half past eight"), "9:00 PM": ("9pm", "nine in the evening")}
SEATS = {"Indoors": ("inside", "indoors"), "Terrace": ("outside", "on the terrace", "outdoors"),
         "Bar counter": ("at the bar",), "Window table": ("by the window",)}
TOPICS = [("Email me about new comments", "comments", "new comments"),
          ("Email me when someone mentions me", "mentions", "mention"),
          ("Weekly digest", "weekly digest", "the weekly digest"),
          ("Product updates and offers", "product updates", "promotional"),
          ("SMS reminders", "sms reminders", "text message"),
          ("Order status emails", "order status", "order update")]
RECORD_KINDS: dict[str, dict[str, Any]] = {
    "files": {"noun": "file", "acts": ["Delete", "Download", "Rename", "Share"],
              "cols": ["Name", "Size", "Modified"]},
    "invoices": {"noun": "invoice", "acts": ["View", "Download", "Pay", "Void"],
                 "cols": ["Invoice", "Customer", "Amount"]},
    "users": {"noun": "user", "acts": ["Edit", "Remove", "Reset password", "Suspend"],
              "cols": ["Name", "Email", "Role"]},
    "orders": {"noun": "order", "acts": ["Track", "Cancel", "Return", "Reorder"],
               "cols": ["Order", "Date", "Total"]},
    "addresses": {"noun": "address", "acts": ["Edit", "Delete", "Set as default"],
                  "cols": ["Label", "Street", "City"]},
}
FILE_STEMS = ["report", "budget", "photo", "contract", "slides", "notes", "invoice", "resume", "logo",
              "backup"]
FILE_EXTS = [".pdf", ".docx", ".png", ".xlsx", ".zip", ".txt", ".jpg"]


# ---------------------------------------------------------------------------------------------- pages


def _select(c: Ctx, label: str, options: list[str], *, placeholder: bool, aliases: tuple[str, ...] = ()
            ) -> tuple[Node, Target]:
    """A select labelled as real forms do, optionally with a placeholder first option (disabled, or with
    an empty value) that is selected until the user picks."""
    ident = c.uid(label)
    opts: list[Node] = []
    if placeholder:
        opts.append(el("option", c.pick(PLACEHOLDER_OPTIONS), value="", disabled=c.chance(0.5),
                       selected=True))
    opts += [el("option", o, value=f"o{i}") for i, o in enumerate(options)]
    how = c.rng.choices(["for", "wrap", "aria"], [5, 2, 1])[0]
    control = el("select", *opts, id=ident, name=ident, aria_label=label if how == "aria" else None)
    wrapper = labelled_field(label, ident, control, how)
    return wrapper, c.add(Target(control, "select", wrapper, aliases))


def _spoken_number(rng: random.Random, n: int) -> str:
    return rng.choice([NUMBER_WORDS[n], NUMBER_WORDS[n], str(n)])


def build_reserve(c: Ctx) -> list[Node]:
    """A restaurant or event reservation: party size, time and seating, mapped from how people say them."""
    noun = c.pick(["guests", "people", "persons", "diners"])
    single = {"guests": "guest", "people": "person", "persons": "person", "diners": "diner"}[noun]
    sizes = [f"1 {single}"] + [f"{n} {noun}" for n in range(2, 9)]
    parts: list[Node] = [el("h2", c.pick(["Book a table", "Reserve your table", "Make a reservation",
                                          "Book your visit"]))]
    party_w, party = _select(c, c.pick(["Party size", "Guests", "Number of guests", "How many?"]), sizes,
                             placeholder=c.chance(0.6), aliases=("party size", "guests"))
    times = c.rng.sample(list(TIMES), 5)
    times.sort(key=list(TIMES).index)
    time_w, time_t = _select(c, c.pick(["Time", "Arrival time", "Preferred time"]), times,
                             placeholder=c.chance(0.5), aliases=("time",))
    parts += [party_w, time_w]
    if c.chance(0.5):
        parts.append(c.field(c.pick(["Date", "Day"]),
                             lambda r: f"2026-0{r.randint(1, 9)}-{r.randint(10, 28)}",
                             kind="date")[0])
    seats = c.rng.sample(list(SEATS), 3)
    seat_w, seat_targets = c.radios(c.pick(["Seating", "Where would you like to sit?"]), seats, None)
    parts.append(seat_w)
    if c.chance(0.6):
        parts.append(c.field(c.pick(["Special requests", "Notes for the restaurant"]),
                             lambda r: r.choice(PUNCT_VALUES), textarea=True)[0])
    book_w, book = c.button(c.pick(["Book now", "Reserve", "Confirm booking", "Find a table"]), submit=True)
    parts.append(book_w)
    n = c.rng.randint(1, 8)
    said = _spoken_number(c.rng, n)
    c.flow("mapped.party", {"o": S(said)}, [Step("select_option", party, {"option": sizes[n - 1]}, "o")])
    t = c.pick(times)
    t_said = c.pick(TIMES[t])
    c.flow("mapped.time", {"o": S(t_said)}, [Step("select_option", time_t, {"option": t}, "o")])
    i = c.rng.randrange(3)
    c.flow("mapped.seat", {"o": S(c.pick(SEATS[seats[i]]))},
           [Step("set_checked", seat_targets[i], {"checked": True}, "o")])
    c.flow("mapped.party_book", {"o": S(said), "t": S(t_said), "b": M(book)},
           [Step("select_option", party, {"option": sizes[n - 1]}, "o"),
            Step("select_option", time_t, {"option": t}, "t"), _steps_click(book)])
    return [el("form", *parts, class_="reserve")]


def build_apparel(c: Ctx) -> list[Node]:
    """A clothing or shoe product: sizes and colours in the shop's wording, placeholder options."""
    item = c.pick(["Merino crew sweater", "Linen shirt", "Trail running shoe", "Rain jacket", "Chino shorts",
                   "Wool beanie", "Canvas sneaker"])
    parts: list[Node] = [el("h1", item), el("p", _money(c.rng, 20, 180))]
    shoe = "shoe" in item.lower() or "sneaker" in item.lower()
    if shoe:
        system = c.pick(["US", "EU", "UK"])
        nums = list(range(7, 12)) if system != "EU" else list(range(39, 45))
        labels = [f"{system} {n}" for n in nums]
        spoken: dict[str, tuple[str, ...]] = {
            lab: (f"size {lab.split()[1]}", f"a {lab.split()[1]}", lab.split()[1]) for lab in labels}
    elif c.chance(0.5):
        labels = list(SIZE_LETTERS)
        spoken = SIZE_LETTERS
    else:
        labels = list(SIZE_WORDS)
        spoken = SIZE_WORDS
    size_w, size = _select(c, c.pick(["Size", "Select size", "Choose your size"]), labels,
                           placeholder=c.chance(0.7), aliases=("size",))
    colors = c.rng.sample(list(COLOR_NAMES), 4)
    color_w, color = _select(c, c.pick(["Colour", "Color"]), colors, placeholder=c.chance(0.5),
                             aliases=("colour", "color"))
    parts += [color_w, size_w]
    parts.append(c.field("Quantity", lambda r: str(r.randint(2, 4)), kind="number", value="1",
                         aliases=("qty",))[0])
    add_w, add = c.button(c.pick(["Add to bag", "Add to cart", "Add to basket"]))
    parts.append(add_w)
    if c.chance(0.5):
        parts.append(c.button(c.pick(["Size guide", "Find my size"]))[0])
    lab = c.pick(labels)
    said = c.pick(spoken[lab])
    c.flow("mapped.size", {"o": S(said)}, [Step("select_option", size, {"option": lab}, "o")])
    col = c.pick(colors)
    col_said = c.pick(COLOR_NAMES[col])
    if not any(col_said in COLOR_NAMES[other] for other in colors if other != col):  # unambiguous only
        c.flow("mapped.color", {"o": S(col_said)}, [Step("select_option", color, {"option": col}, "o")])
        c.flow("mapped.size_color_add", {"o1": S(said), "o2": S(col_said), "b": M(add)},
               [Step("select_option", color, {"option": col}, "o2"),
                Step("select_option", size, {"option": lab}, "o1"), _steps_click(add)])
    return [el("section", *parts, class_="apparel")]


def build_travel(c: Ctx) -> list[Node]:
    """A flight or train search: origin and destination named indirectly, passengers mapped."""
    how = c.pick(["for", "placeholder", "aria"])
    from_label, to_label = c.pick([("From", "To"), ("Leaving from", "Going to"), ("Origin", "Destination"),
                                   ("Departure city", "Arrival city")])
    from_w, from_t = c.field(from_label, lambda r: r.choice(CITIES), how=how, aliases=("from",))
    to_w, to_t = c.field(to_label, lambda r: r.choice(CITIES), how=how, aliases=("to",))
    parts: list[Node] = [el("h2", c.pick(["Find flights", "Search trains", "Where to?", "Plan your trip"])),
                         from_w, to_w,
                         c.field(c.pick(["Depart", "Departure date"]), lambda r: "2026-05-14",
                                 kind="date")[0]]
    pax_noun = c.pick(["passengers", "adults", "travellers"])
    pax = [f"1 {pax_noun[:-1]}"] + [f"{n} {pax_noun}" for n in range(2, 7)]
    pax_w, pax_t = _select(c, c.pick(["Passengers", "Travellers", "Who's travelling?"]), pax,
                           placeholder=c.chance(0.3), aliases=("passengers",))
    parts.append(pax_w)
    parts.append(c.radios("Class", ["Economy", "Premium economy", "Business"], 0)[0])
    btn_w, btn = c.button(c.pick(["Search flights", "Search", "Find trains", "Show results"]), submit=True)
    parts.append(btn_w)
    origin, dest = c.rng.sample(CITIES, 2)
    c.flow("indirect.from", {"v": V(origin)}, [_type(from_t, origin, "v")])
    c.flow("indirect.to", {"v": V(dest)}, [_type(to_t, dest, "v")])
    n = c.rng.randint(1, 6)
    c.flow("mapped.passengers", {"o": S(_spoken_number(c.rng, n))},
           [Step("select_option", pax_t, {"option": pax[n - 1]}, "o")])
    return [el("form", *parts, class_="travel")]


def build_alerts(c: Ctx) -> list[Node]:
    """Notification preferences, switched on and off by what the user says they want."""
    parts: list[Node] = [el("h2", c.pick(["Notifications", "Email preferences", "Alerts"]))]
    chosen = c.rng.sample(TOPICS, 4)
    flows: list[tuple[Target, str, bool]] = []
    for label, topic, _ in chosen:
        on = c.chance(0.5)
        node, target = c.check(label, checked=on, switch=c.chance(0.6))
        parts.append(node)
        flows.append((target, topic, on))
    stay = None
    if c.chance(0.4):
        node, stay = c.check(c.pick(["Keep me signed in", "Remember me on this device", "Stay logged in"]))
        parts.append(node)
    parts.append(c.button(c.pick(["Save preferences", "Save", "Update"]), submit=True)[0])
    target, topic, on = c.pick(flows)
    if on:
        c.flow("indirect.stop", {"topic": S(topic)},
               [Step("set_checked", target, {"checked": False}, "topic")])
    else:
        c.flow("indirect.start", {"topic": S(topic)},
               [Step("set_checked", target, {"checked": True}, "topic")])
    if stay is not None:
        c.flow("indirect.stay", {}, [Step("set_checked", stay, {"checked": True}, "_")])
    return [el("form", *parts, class_="alerts")]


def _record_row(c: Ctx, kind: str) -> list[str]:
    if kind == "files":
        return [f"{c.pick(FILE_STEMS)}-{c.rng.randint(1, 99)}{c.pick(FILE_EXTS)}",
                f"{c.rng.randint(1, 900)} KB",
                f"{c.pick(['Mar', 'Apr', 'May', 'Jun'])} {c.rng.randint(1, 28)}"]
    if kind == "invoices":
        return [f"INV-{c.rng.randint(1000, 9999)}", f"{c.pick(FIRST)} {c.pick(LAST)}",
                _money(c.rng, 40, 2000)]
    if kind == "users":
        first = c.pick(FIRST)
        return [f"{first} {c.pick(LAST)}", f"{ascii_word(first)}@{c.pick(['acme.io', 'corp.net'])}",
                c.pick(["Admin", "Editor", "Viewer", "Owner"])]
    if kind == "orders":
        return [f"#{c.rng.randint(10000, 99999)}", f"2026-0{c.rng.randint(1, 9)}-{c.rng.randint(10, 28)}",
                _money(c.rng, 10, 500)]
    return [c.pick(["Home", "Work", "Parents", "Studio", "Office"]), f"{c.rng.randint(1, 99)} Elm Street",
            c.pick(CITIES)]


def build_records(c: Ctx) -> list[Node]:
    """A table, list or grid of cards whose rows carry the same buttons: picked by content or position."""
    kind = c.pick(list(RECORD_KINDS))
    spec = RECORD_KINDS[kind]
    acts = c.rng.sample(spec["acts"], c.rng.randint(1, 2))
    n = c.rng.randint(3, 6)
    rows = []
    keys: set[str] = set()
    for _ in range(20 * n):  # rows with distinct first cells (a small pool may give fewer than n)
        row = _record_row(c, kind)
        if row[0] not in keys:
            keys.add(row[0])
            rows.append(row)
        if len(rows) == n:
            break
    n = len(rows)
    layout = c.pick(["table", "list", "cards"])
    buttons: list[dict[str, Target]] = []
    items: list[Node] = []
    for row in rows:
        row_buttons: dict[str, Target] = {}
        controls = []
        for act in acts:
            icon = c.chance(0.2)
            node, target = c.button(act, aria=act if icon else None)
            if icon:
                node.children = [el("span", "•", aria_hidden="true")]
            controls.append(node)
            row_buttons[act] = target
        buttons.append(row_buttons)
        if layout == "table":
            items.append(el("tr", *[el("td", v) for v in row], el("td", *controls)))
        elif layout == "list":
            items.append(el("li", el("span", row[0]), el("span", " · " + row[1]), *controls))
        else:
            items.append(el("div", el("h3", row[0]), el("p", row[1]), *controls, class_="card"))
    title = el("h2", c.pick([f"Your {kind}", kind.capitalize(), f"Recent {kind}", f"All {kind}"]))
    if layout == "table":
        body = el("table", el("thead", el("tr", *[el("th", h) for h in spec["cols"]], el("th", ""))),
                  el("tbody", *items))
    elif layout == "list":
        body = el("ul", *items, class_=kind)
    else:
        body = el("div", *items, class_="grid")
    i = c.rng.randrange(n)
    act = c.pick(acts)
    key = rows[i][0]
    target = buttons[i][act]
    verb = act.lower()
    c.flow("rows.by_key", {"act": S(verb), "key": V(key), "noun": S(spec["noun"])},
           [Step("click", target, {}, "act")])
    j = c.pick([0, 1, 2, n - 1] if n > 3 else [0, 1, n - 1])
    pos = "last" if j == n - 1 and (j not in ORDINALS or c.chance(0.6)) else c.pick(ORDINALS[j])
    c.flow("rows.by_pos", {"act": S(verb), "pos": S(pos), "noun": S(spec["noun"])},
           [Step("click", buttons[j][act], {}, "act")])
    return [el("section", title, body, class_="records")]


ARCHETYPES: dict[str, Callable[[Ctx], list[Node]]] = {
    "reserve": build_reserve, "apparel": build_apparel, "travel": build_travel, "alerts": build_alerts,
    "records": build_records,
}


# ---------------------------------------------------------------------------------------------- tasks


def _free_text(name: str, target: Target) -> bool:
    return target.node.tag == "textarea" or any(w in name.lower() for w in FREE_TEXT_WORDS)


def web_tasks(targets: list[Target], by_node: dict[Node, Entry], rng: random.Random,
              sections: frozenset[str] = frozenset()) -> list[Task]:
    """The command families any page supports: limits, out of scope, typed punctuation, long fills.

    `targets` are the page's usable targets (named, enabled, not repeated); `sections` the archetypes
    the page is made of (an out-of-scope family such a page can serve is not drawn)."""
    tasks: list[Task] = []
    fields = [t for t in targets if t.kind == "field" and t.gen is not None
              and (t.node.attr("type") or "text") != "password"]
    buttons = [t for t in targets if t.kind == "button"]
    submits = [b for b in buttons if any(w in by_node[b.node].name.lower() for w in LIMIT_BUTTON_WORDS)]
    checks = [t for t in targets if t.kind == "check"]
    selects = [t for t in targets if t.kind == "select"]
    values = {id(f): f.gen(rng) for f in fields if f.gen is not None}

    def fills(chosen: list[Target]) -> tuple[dict[str, Slot], list[Step]]:
        slots: dict[str, Slot] = {}
        steps = []
        for i, f in enumerate(chosen, 1):
            slots[f"f{i}"], slots[f"v{i}"] = M(f), V(values[id(f)])
            steps.append(_type(f, values[id(f)], f"v{i}"))
        return slots, steps

    # Limits: fill or tick on a page with a button that would submit, and say not to press it.
    if submits:
        b = rng.choice(submits)
        if fields:
            f = rng.choice(fields)
            tasks.append(Task("limit.fill", {"f": M(f), "v": V(values[id(f)]), "b": M(b)},
                              [_type(f, values[id(f)], "v")]))
            unticked = [c for c in checks if not is_checked(c.node)]
            if unticked:
                ch = rng.choice(unticked)
                tasks.append(Task("limit.fill_check",
                                  {"f": M(f), "v": V(values[id(f)]), "c": M(ch), "b": M(b)},
                                  [_type(f, values[id(f)], "v"), Step("set_checked", ch, {"checked": True},
                                                                      "c")]))
        if len(fields) >= 2:
            slots, steps = fills(rng.sample(fields, 2))
            tasks.append(Task("limit.fill2", {**slots, "b": M(b)}, steps))
        if len(fields) >= 3:
            slots, steps = fills(rng.sample(fields, 3))
            tasks.append(Task("limit.fill3", {**slots, "b": M(b)}, steps))
        for ch in checks[:1]:
            on = not is_checked(ch.node)
            tasks.append(Task("limit.check" if on else "limit.uncheck", {"c": M(ch), "b": M(b)},
                              [Step("set_checked", ch, {"checked": on}, "c")]))
        for sel in selects[:1]:
            opts = [option_label(o) for o in sel.node.iter()
                    if o.tag == "option" and not is_placeholder_option(o)]
            current = by_node[sel.node].line.split('value="', 1)[1].split('"', 1)[0]
            choices = [o for o in opts if o != current]
            if choices:
                o = rng.choice(choices)
                tasks.append(Task("limit.select", {"c": M(sel), "o": S(o), "b": M(b)},
                                  [Step("select_option", sel, {"option": o}, "o")]))

    # Typed text with punctuation, into fields that take free text.
    free = [f for f in fields if _free_text(by_node[f.node].name, f)]
    if free:
        f = rng.choice(free)
        v = punct_value(rng)
        tasks.append(Task("typed.say", {"f": M(f), "v": V(v)}, [_type(f, v, "v")]))
        if buttons:
            b = rng.choice(buttons)
            tasks.append(Task("typed.say_send", {"f": M(f), "v": V(v), "b": M(b)},
                              [_type(f, v, "v"), _steps_click(b)]))

    # Two to four fields at once, with the submit button where the command asks for it.
    if len(fields) >= 2 and submits:
        slots, steps = fills(rng.sample(fields, 2))
        b = rng.choice(submits)
        tasks.append(Task("fill2_click", {**slots, "b": M(b)}, [*steps, _steps_click(b)]))
    if len(fields) >= 3:
        k = 4 if len(fields) >= 4 and rng.random() < 0.4 else 3
        slots, steps = fills(rng.sample(fields, k))
        tasks.append(Task(f"fill{k}", slots, steps))
        if submits:
            b = rng.choice(submits)
            tasks.append(Task(f"fill{k}_click", {**slots, "b": M(b)}, [*steps, _steps_click(b)]))

    # Out of scope: no element can serve these (families a page of this kind could serve are left out).
    city = rng.choice(CITIES)
    a, b2 = rng.randint(2, 99), rng.randint(2, 40)
    fillers = {"x": S(city), "a": S(str(a)), "b": S(str(b2)), "t": S(rng.choice(["7am", "6:30", "noon"])),
               "r": S(rng.choice(["call the bank", "water the plants", "buy stamps", "renew my passport",
                                  "pick up the dry cleaning"])),
               "n": S(rng.choice(FIRST))}
    families = [f for f in sorted(ANSWERS) if not OFFTOPIC_CLASHES.get(f, frozenset()) & sections]
    family = rng.choice(families)
    tasks.append(Task(family, dict(fillers), [], answer=rng.choice(ANSWERS[family])))
    return tasks
