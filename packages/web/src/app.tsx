import { Button, Stack, Text, Title } from '@mantine/core';
import { lazy, Suspense, type ReactNode } from 'react';
import { Link, Navigate, Route, Routes, useLocation } from 'react-router';
import { Loading } from './layout/async.js';
import { PublicFrame } from './layout/public-frame.js';
import { landingPath, spacesFor, type SpaceId } from './lib/spaces.js';
import { AcceptInvitationPage, ForgotPasswordPage, RegisterPage, ResetPasswordPage, VerifyEmailPage } from './session/account-pages.js';
import { useSession } from './session/session.js';
import { SignInPage } from './session/sign-in-page.js';

// Each audience's screens load only when someone opens them, so a patient on a phone does not
// download the clinician workspace.
const PatientSpace = lazy(() => import('./patient/patient-space.js').then((m) => ({ default: m.PatientSpace })));
const ClinicianSpace = lazy(() => import('./clinician/clinician-space.js').then((m) => ({ default: m.ClinicianSpace })));
const PharmacySpace = lazy(() => import('./pharmacy/pharmacy-space.js').then((m) => ({ default: m.PharmacySpace })));
const PublicHealthSpace = lazy(() => import('./public-health/public-health-space.js').then((m) => ({ default: m.PublicHealthSpace })));
const AdminSpace = lazy(() => import('./admin/admin-space.js').then((m) => ({ default: m.AdminSpace })));
const AccountSpace = lazy(() => import('./account/account-space.js').then((m) => ({ default: m.AccountSpace })));

/** Signed-in screens: a person who is not signed in is sent to sign in and brought back after. */
function RequireSession({ space, children }: { space?: SpaceId; children: ReactNode }) {
  const { state } = useSession();
  const location = useLocation();
  if (state.status === 'loading') return <Loading label="Opening Salus…" />;
  if (state.status !== 'signed-in') {
    return <Navigate to={`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  }
  if (space && !spacesFor(state.me.account.roles).some((s) => s.id === space)) {
    return (
      <PublicFrame title="Not part of your account">
        <Stack>
          <Text>This part of Salus is for other people. Your account opens these instead:</Text>
          <Button component={Link} to={landingPath(state.me.account.roles)}>
            Go to my start page
          </Button>
        </Stack>
      </PublicFrame>
    );
  }
  return <Suspense fallback={<Loading />}>{children}</Suspense>;
}

function Home() {
  const { state } = useSession();
  if (state.status === 'loading') return <Loading label="Opening Salus…" />;
  if (state.status !== 'signed-in') return <Navigate to="/sign-in" replace />;
  return <Navigate to={landingPath(state.me.account.roles)} replace />;
}

function NotFound() {
  return (
    <PublicFrame title="Page not found">
      <Stack>
        <Title order={2} size="h5" fw={400}>
          There is no page at this address.
        </Title>
        <Button component={Link} to="/">
          Go to the start page
        </Button>
      </Stack>
    </PublicFrame>
  );
}

export function App() {
  return (
    <Routes>
      <Route path="/" element={<Home />} />
      <Route path="/sign-in" element={<SignInPage />} />
      <Route path="/register" element={<RegisterPage />} />
      <Route path="/verify-email" element={<VerifyEmailPage />} />
      <Route path="/forgot-password" element={<ForgotPasswordPage />} />
      <Route path="/reset-password" element={<ResetPasswordPage />} />
      <Route path="/accept-invitation" element={<AcceptInvitationPage />} />
      <Route path="/account/*" element={<RequireSession><AccountSpace /></RequireSession>} />
      <Route path="/patient/*" element={<RequireSession space="patient"><PatientSpace /></RequireSession>} />
      <Route path="/clinician/*" element={<RequireSession space="clinician"><ClinicianSpace /></RequireSession>} />
      <Route path="/pharmacy/*" element={<RequireSession space="pharmacy"><PharmacySpace /></RequireSession>} />
      <Route path="/public-health/*" element={<RequireSession space="public-health"><PublicHealthSpace /></RequireSession>} />
      <Route path="/administration/*" element={<RequireSession space="admin"><AdminSpace /></RequireSession>} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
