from django.dispatch import Signal

# experiment, winner (a Variant or None), actor. Nurture copies a step test's winner into the step.
experiment_ended = Signal()
