"""Form widgets for editing automated texts (nurture steps, A/B variants)."""

from django import forms


class SmsTextarea(forms.Textarea):
    """A textarea that shows, while typing, how many SMS segments the text costs."""

    def __init__(self, attrs=None):
        super().__init__({"rows": 3, "cols": 90, "data-segment-counter": "1", **(attrs or {})})

    class Media:
        js = ["conversations/segment_counter.js"]
