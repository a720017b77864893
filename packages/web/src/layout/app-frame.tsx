import { AppShell, Burger, Button, Group, Menu, NavLink as MantineNavLink, ScrollArea, Text, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconChevronDown, IconLogout, IconShieldLock } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { Link, NavLink, useLocation, useNavigate } from 'react-router';
import { useMe, useSession } from '../session/session.js';
import { spaceOfPath, spacesFor } from '../lib/spaces.js';

/**
 * The frame around every signed-in screen: the header with the space switcher and the person's
 * menu, a side navigation that folds behind a menu button on narrow screens, and the page.
 */

export interface NavItem {
  to: string;
  label: string;
  icon?: ReactNode;
  /** Match only this exact path (for a space's home). */
  end?: boolean;
}

export function AppFrame({ nav, navHeader, children }: { nav: NavItem[]; navHeader?: ReactNode; children: ReactNode }) {
  const [opened, { toggle, close }] = useDisclosure();
  const me = useMe();
  const { signOut } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const spaces = spacesFor(me.account.roles);
  const current = spaceOfPath(location.pathname);

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={opened ? 'Close navigation' : 'Open navigation'} />
            <UnstyledButton component={Link} to="/" aria-label="Salus home">
              <Group gap={6} wrap="nowrap">
                <img src="/favicon.svg" alt="" width={28} height={28} />
                <Text fw={700} size="lg" c="salus.8">
                  Salus
                </Text>
              </Group>
            </UnstyledButton>
            {spaces.length > 1 && (
              <Menu position="bottom-start">
                <Menu.Target>
                  <Button variant="subtle" size="compact-sm" rightSection={<IconChevronDown size={14} aria-hidden />} aria-label="Switch space">
                    {spaces.find((s) => s.id === current)?.label ?? 'Spaces'}
                  </Button>
                </Menu.Target>
                <Menu.Dropdown>
                  {spaces.map((s) => (
                    <Menu.Item key={s.id} onClick={() => navigate(s.path)} aria-current={s.id === current ? 'page' : undefined}>
                      {s.label}
                    </Menu.Item>
                  ))}
                </Menu.Dropdown>
              </Menu>
            )}
          </Group>
          <Menu position="bottom-end">
            <Menu.Target>
              <Button variant="subtle" size="compact-sm" rightSection={<IconChevronDown size={14} aria-hidden />}>
                <VisuallyHidden>Account menu for </VisuallyHidden>
                <Text span size="sm" maw={{ base: 120, xs: 240 }} truncate="end">
                  {me.account.displayName}
                </Text>
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Label>{me.account.email}</Menu.Label>
              <Menu.Item leftSection={<IconShieldLock size={16} aria-hidden />} onClick={() => navigate('/account')}>
                Sign-in and security
              </Menu.Item>
              <Menu.Item leftSection={<IconLogout size={16} aria-hidden />} onClick={() => void signOut().then(() => navigate('/sign-in'))}>
                Sign out
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main navigation">
        {navHeader}
        <AppShell.Section grow component={ScrollArea}>
          <nav>
            {nav.map((item) => (
              <MantineNavLink
                key={item.to}
                component={NavLink}
                to={item.to}
                end={item.end}
                label={item.label}
                leftSection={item.icon}
                active={item.end ? location.pathname === item.to : location.pathname === item.to || location.pathname.startsWith(`${item.to}/`)}
                onClick={close}
              />
            ))}
          </nav>
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        {children}
      </AppShell.Main>
    </AppShell>
  );
}
