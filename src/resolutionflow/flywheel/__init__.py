"""The flywheel: analysing resolved sessions into reinforcements and reviewable proposals."""
